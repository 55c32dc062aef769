import { writeFileSync } from 'node:fs';
import { JsonLineWorker, type TorchWorkerInfo } from './json-line-worker.js';
import { TORCH_MODEL_WORKER_SCRIPT } from './paths.js';

export type { TorchWorkerInfo } from './json-line-worker.js';

export interface TorchOutputs {
  readonly logits: readonly number[];
  readonly probabilities: readonly number[];
}

/**
 * A PyTorch process holding one model (bench/torch_model_worker.py), asked for timed forward passes between the
 * bench's own ONNX Runtime runs. It times itself with perf_counter, so the pipe's latency is not counted.
 */
export class TorchModelWorker {
  private constructor(private readonly worker: JsonLineWorker) {}

  /** Starts the worker and waits until its model is loaded. */
  static async start(
    checkpointPath: string,
    threads: number,
  ): Promise<{ worker: TorchModelWorker; info: TorchWorkerInfo }> {
    const { worker, info } = await JsonLineWorker.start(TORCH_MODEL_WORKER_SCRIPT, [
      checkpointPath,
      '--threads',
      String(threads),
    ]);
    return { worker: new TorchModelWorker(worker), info };
  }

  /** Writes `batch` for the worker to read, makes it the batch to time, and returns the model's outputs on it. */
  async setInput(batch: Float32Array, shape: readonly number[], scratchFile: string): Promise<TorchOutputs> {
    writeFileSync(scratchFile, new Uint8Array(batch.buffer, batch.byteOffset, batch.byteLength));
    return this.request<TorchOutputs>({ op: 'input', path: scratchFile, shape });
  }

  /** Forward passes of the current batch until both `seconds` and `minRuns` are reached; seconds of each. */
  async timeRuns(seconds: number, minRuns: number): Promise<number[]> {
    return (await this.request<{ runSeconds: number[] }>({ op: 'time', seconds, minRuns })).runSeconds;
  }

  stop(): Promise<void> {
    return this.worker.stop();
  }

  private request<R>(message: object): Promise<R> {
    return this.worker.request<R>(message);
  }
}
