import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { ParameterGroup } from '../src/train/index.js';
import { PYTHON, TORCH_TRAIN_WORKER_SCRIPT } from './paths.js';
import type { TorchWorkerInfo } from './torch-model-worker.js';

export interface TorchTrainingSetup {
  /** A {'state_dict'} .pth of the cifar10 family (exportPytorchCheckpoint). */
  readonly checkpoint: string;
  /** Little-endian float32 [n, 3, 32, 32] and int32 [n] files. */
  readonly input: string;
  readonly labels: string;
  readonly shape: readonly number[];
  readonly groups: readonly ParameterGroup[];
  readonly momentum: number;
}

/**
 * A PyTorch process training one model on one batch (bench/torch_train_worker.py), asked for timed training steps
 * between the bench's own ONNX Runtime steps. It times itself with perf_counter, so the pipe is not counted.
 */
export class TorchTrainWorker {
  private readonly replies: AsyncIterator<string>;
  private stderr = '';

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    this.replies = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
  }

  static async start(threads: number): Promise<{ worker: TorchTrainWorker; info: TorchWorkerInfo }> {
    const worker = new TorchTrainWorker(spawn(PYTHON, [TORCH_TRAIN_WORKER_SCRIPT, '--threads', String(threads)], { stdio: 'pipe' }));
    try {
      return { worker, info: await worker.next<TorchWorkerInfo>() };
    } catch (error) {
      await worker.stop();
      throw error;
    }
  }

  /** Loads weights, batch and optimizer; returns the batch's eval-mode loss. */
  async setup(setup: TorchTrainingSetup): Promise<number> {
    return (await this.request<{ evalLoss: number }>({ op: 'setup', ...setup, groups: setup.groups.map(({ parameters, lr, weightDecay }) => ({ parameters, lr, weightDecay })) })).evalLoss;
  }

  /** Training steps until both `seconds` and `minRuns` are reached: seconds and loss of each. */
  async timeSteps(seconds: number, minRuns: number): Promise<{ runSeconds: number[]; losses: number[] }> {
    return this.request({ op: 'time', seconds, minRuns });
  }

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
    if (done === true) throw new Error(`${TORCH_TRAIN_WORKER_SCRIPT} exited early:\n${this.stderr.trim()}`);
    return JSON.parse(value) as R;
  }
}
