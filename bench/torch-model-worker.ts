import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { PYTHON, TORCH_MODEL_WORKER_SCRIPT } from './paths.js';

/** What bench/torch_model_worker.py says when it is ready. */
export interface TorchWorkerInfo {
  readonly torchVersion: string;
  /** torch.get_num_threads() after set_num_threads: the threads it really runs with. */
  readonly threads: number;
}

export interface TorchOutputs {
  readonly logits: readonly number[];
  readonly probabilities: readonly number[];
}

/**
 * A PyTorch process holding one model (bench/torch_model_worker.py), asked for timed forward passes between the
 * bench's own ONNX Runtime runs. It times itself with perf_counter, so the pipe's latency is not counted.
 */
export class TorchModelWorker {
  private readonly replies: AsyncIterator<string>;
  private stderr = '';

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    this.replies = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
  }

  /** Starts the worker and waits until its model is loaded. */
  static async start(checkpointPath: string, threads: number): Promise<{ worker: TorchModelWorker; info: TorchWorkerInfo }> {
    const worker = new TorchModelWorker(spawn(PYTHON, [TORCH_MODEL_WORKER_SCRIPT, checkpointPath, '--threads', String(threads)], { stdio: 'pipe' }));
    try {
      return { worker, info: await worker.next<TorchWorkerInfo>() };
    } catch (error) {
      await worker.stop();
      throw error;
    }
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

  /** Closes its stdin: the worker's loop ends and it exits. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('close', () => resolve()));
    this.child.stdin.end();
    await exited;
  }

  private async request<R>(message: object): Promise<R> {
    this.child.stdin.write(`${JSON.stringify(message)}\n`);
    return this.next<R>();
  }

  private async next<R>(): Promise<R> {
    const { value, done } = await this.replies.next();
    if (done === true) throw new Error(`${TORCH_MODEL_WORKER_SCRIPT} exited early:\n${this.stderr.trim()}`);
    return JSON.parse(value) as R;
  }
}
