import { basename, extname } from 'node:path';
import { readOnnxMetadata } from '../graph/index.js';
import {
  withClassMaps,
  checkModel,
  type CheckedModel,
  ModelError,
  readCheckedModelInfo,
  type ModelInfo,
} from '../model/index.js';
import { type ProviderAttempt, type Provider, datatypeOfOrt } from '../runtime/index.js';
import { DynamicBatcher, type BatchingOptions, type BatchObserver } from './batcher.js';
import { InferenceWorkerHandle, type WireValueInfo, type WorkerSetup } from '../runtime/node/index.js';
import type { ModelMetadata, TensorMetadata } from './protocol.js';
import { workerSessionOptions } from './worker-session-options.js';

/** The one version each served model has: the protocol's paths may name it. */
export const MODEL_VERSION = '1';

/** Triton's platform name for ONNX models, which the protocol's model metadata reports. */
export const ONNX_PLATFORM = 'onnxruntime_onnx';

export interface ServedModelOptions extends BatchingOptions {
  readonly workers: number;
  readonly threads: number;
  readonly providers: readonly Provider[];
  readonly strict: boolean;
}

/** The name a model file is served under: its file name without the extension. */
export function modelNameOf(path: string): string {
  return basename(path, extname(path));
}

/**
 * One model behind the protocol: its inference workers, its batcher, and what its metadata says. Models with
 * nin-sdk metadata (labels, preprocessing) also serve the image convenience route.
 */
export class ServedModel {
  private constructor(
    readonly name: string,
    readonly metadata: ModelMetadata,
    /** nin-sdk's labels and preprocessing; undefined for other ONNX models, which serve `infer` only. */
    readonly info: ModelInfo | undefined,
    /**
     * Why the model's nin-sdk metadata (its `nin.*` entries) cannot be used, when it has some that are broken: the
     * model then serves `infer` only, and `nin-sdk serve` says so on stderr at start rather than leaving the image
     * route's refusal unexplained. Undefined for a model with usable metadata or none at all.
     */
    readonly metadataProblem: string | undefined,
    readonly provider: Provider,
    readonly fallbacks: readonly ProviderAttempt[],
    readonly batcher: DynamicBatcher,
    private readonly workers: readonly InferenceWorkerHandle[],
    readonly maxBatchSize: number,
  ) {}

  static async load(
    name: string,
    bytes: Uint8Array,
    source: string,
    options: ServedModelOptions,
    observer: BatchObserver,
  ): Promise<ServedModel> {
    // Checked here, before any worker starts, so that a refused model stops the server at once in one line.
    // Models converted before nin-sdk offered class maps get them here, in memory (as loadClassifier does).
    const model = withClassMaps(checkModel(bytes, source));
    let info: ModelInfo | undefined;
    let metadataProblem: string | undefined;
    try {
      info = readCheckedModelInfo(model);
    } catch (error) {
      if (!(error instanceof ModelError) || /is not an ONNX model/.test(error.message)) throw error;
      if (hasNinMetadata(model)) metadataProblem = error.message;
    }
    const setup: Omit<WorkerSetup, 'runState'> = {
      model: model.bytes,
      source,
      providers: options.providers,
      strict: options.strict,
      sessionOptions: workerSessionOptions(options.threads),
      // A server answers its clients; ONNX Runtime's own warnings on its stderr would only interleave with the log.
      runtimeLogLevel: 'fatal',
    };
    const workers = await Promise.all(
      Array.from({ length: options.workers }, () => InferenceWorkerHandle.start(setup)),
    );
    try {
      const { ready } = workers[0]!;
      const inputs = ready.inputs.map((v) => tensorMetadata(v, source));
      const outputs = ready.outputs.map((v) => tensorMetadata(v, source));
      const input = inputs[0];
      if (
        inputs.length !== 1 ||
        input === undefined ||
        input.shape[0] !== -1 ||
        input.shape.slice(1).some((d) => d < 0)
      ) {
        throw new ModelError(
          `${source} cannot be served: it needs one input whose first dimension is the batch and the others fixed`,
        );
      }
      const metadata: ModelMetadata = { name, versions: [MODEL_VERSION], platform: ONNX_PLATFORM, inputs, outputs };
      const batcher = new DynamicBatcher(
        workers,
        { name: input.name, datatype: input.datatype, rowShape: input.shape.slice(1) },
        options,
        observer,
      );
      return new ServedModel(
        name,
        metadata,
        info,
        metadataProblem,
        ready.provider,
        ready.fallbacks,
        batcher,
        workers,
        options.maxBatchSize,
      );
    } catch (error) {
      await Promise.all(workers.map((w) => w.stop()));
      throw error;
    }
  }

  get input(): TensorMetadata {
    return this.metadata.inputs[0]!;
  }

  /** The output the image route ranks: probabilities if the model has them, else logits (softmax applied). */
  get scoresOutput(): { readonly name: string; readonly isProbability: boolean } | undefined {
    if (this.info === undefined) return undefined;
    const names = this.metadata.outputs.map((o) => o.name);
    if (names.includes(this.info.outputs.probabilities))
      return { name: this.info.outputs.probabilities, isProbability: true };
    if (names.includes(this.info.outputs.logits)) return { name: this.info.outputs.logits, isProbability: false };
    return undefined;
  }

  /** Waits for queued and running batches, then stops the workers. */
  async stop(): Promise<void> {
    await this.batcher.drained();
    await Promise.all(this.workers.map((w) => w.stop()));
  }
}

function tensorMetadata(value: WireValueInfo, source: string): TensorMetadata {
  const datatype = datatypeOfOrt(value.ortType);
  if (datatype === undefined)
    throw new ModelError(
      `${source} cannot be served: '${value.name}' has type ${value.ortType}, which nin-sdk serve does not move`,
    );
  return { name: value.name, datatype, shape: value.shape };
}

/** Whether any metadata_props entry is nin-sdk's (`nin.*`): a plain ONNX model has none, and no problem with them. */
function hasNinMetadata(model: CheckedModel): boolean {
  return Object.keys(readOnnxMetadata(model.proto).metadata).some((key) => key.startsWith('nin.'));
}
