/**
 * The serve bench's in-process ceilings of one model file, loaded once and measured again next to every load level
 * (the machine is shared: a ceiling taken minutes away from the level it rates is a different machine):
 * classifyBatch on pixels (preprocessing included, the SDK's default session options) and a bare session with the
 * server worker's own options on the requests' tensors (the server's work without HTTP).
 */
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { loadClassifier, type NodeClassifier } from '../src/node/classify.js';
import { checkModel } from '../src/model/checked-model.js';
import type { ModelDtype } from '../src/model/dtype.js';
import { createSession } from '../src/runtime/open-session.js';
import type { RawPixels } from '../src/preprocess/pixels.js';
import { workerSessionOptions } from '../src/serve/worker-session-options.js';

export interface CeilingSample {
  readonly classifyBatchImagesPerSecond: number;
  readonly sessionImagesPerSecond: number;
  /** CPU time (user + system) of this process per image while the bare session ran: the model's own cost. */
  readonly sessionCpuMsPerImage: number;
}

export class Ceilings {
  private constructor(
    private readonly classifier: NodeClassifier,
    private readonly session: ort.InferenceSession,
    private readonly pixels: readonly RawPixels[],
    private readonly batch: ort.Tensor,
    private readonly batchSize: number,
  ) {}

  /** `dtype` for classifyBatch, `model` (the same file) for the bare session, both with `threads` intra-op threads. */
  static async load(
    dtype: ModelDtype,
    model: string,
    threads: number,
    batchSize: number,
    pixels: readonly RawPixels[],
    tensors: readonly Float32Array[],
  ): Promise<Ceilings> {
    const classifier = await loadClassifier(undefined, { dtype, threads, batchSize });
    const session = await createSession(ort, checkModel(await readFile(model), model), workerSessionOptions(threads));
    const row = tensors[0]!.length;
    const data = new Float32Array(batchSize * row);
    for (let i = 0; i < batchSize; i++) data.set(tensors[i % tensors.length]!, i * row);
    const batch = new ort.Tensor('float32', data, [batchSize, 3, 32, 32]);
    const ceilings = new Ceilings(classifier, session, pixels, batch, batchSize);
    await classifier.classifyBatch(pixels.slice(0, batchSize));
    await session.run({ [session.inputNames[0]!]: batch });
    return ceilings;
  }

  async measure(): Promise<CeilingSample> {
    let started = performance.now();
    await this.classifier.classifyBatch(this.pixels);
    const classifyBatchImagesPerSecond = this.pixels.length / ((performance.now() - started) / 1000);
    const name = this.session.inputNames[0]!;
    const cpu = process.cpuUsage();
    started = performance.now();
    for (let done = 0; done < this.pixels.length; done += this.batchSize)
      await this.session.run({ [name]: this.batch });
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    return {
      classifyBatchImagesPerSecond,
      sessionImagesPerSecond: this.pixels.length / seconds,
      sessionCpuMsPerImage: (used.user + used.system) / 1000 / this.pixels.length,
    };
  }

  async dispose(): Promise<void> {
    await this.classifier.dispose();
    await this.session.release();
  }
}
