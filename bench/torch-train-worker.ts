import { type ParameterGroup } from '../src/train/optimizer/parameter-groups.js';
import { JsonLineWorker, type TorchWorkerInfo } from './json-line-worker.js';
import { TORCH_TRAIN_WORKER_SCRIPT } from './paths.js';

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
  private constructor(private readonly worker: JsonLineWorker) {}

  static async start(threads: number): Promise<{ worker: TorchTrainWorker; info: TorchWorkerInfo }> {
    const { worker, info } = await JsonLineWorker.start(TORCH_TRAIN_WORKER_SCRIPT, ['--threads', String(threads)]);
    return { worker: new TorchTrainWorker(worker), info };
  }

  /** Loads weights, batch and optimizer; returns the batch's eval-mode loss. */
  async setup(setup: TorchTrainingSetup): Promise<number> {
    return (
      await this.request<{ evalLoss: number }>({
        op: 'setup',
        ...setup,
        groups: setup.groups.map(({ parameters, lr, weightDecay }) => ({ parameters, lr, weightDecay })),
      })
    ).evalLoss;
  }

  /** Training steps until both `seconds` and `minRuns` are reached: seconds and loss of each. */
  async timeSteps(seconds: number, minRuns: number): Promise<{ runSeconds: number[]; losses: number[] }> {
    return this.request({ op: 'time', seconds, minRuns });
  }

  stop(): Promise<void> {
    return this.worker.stop();
  }

  private request<R>(message: object): Promise<R> {
    return this.worker.request<R>(message);
  }
}
