import { appendFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { readRegularFile, checkOutputPath, writeFileAtomic } from '../../io/index.js';
import { join } from 'node:path';
import { decodeTrainingCheckpoint, encodeTrainingCheckpoint } from '../checkpoint/format.js';
import type { TrainingCheckpoint } from '../checkpoint/state.js';
import { checkpointOnnx } from '../export/checkpoint-onnx.js';
import { exportedModel } from '../export/exported-model.js';
import { exportPytorchCheckpoint } from '../export/pth.js';

/**
 * The files of one training run, all in one folder, each written whole or not at all (writeFileAtomic), so that
 * a crash or a second Ctrl-C at any moment leaves the previous version of every file:
 *   checkpoint.nintrain   the latest training checkpoint (see checkpoint/format.ts): what a resume starts from
 *   best.onnx, best.pth   the model of the best epoch, for nin-sdk predict and for PyTorch
 *   epoch-<N>.pth         with --keep-epochs: the weights at the end of epoch N (for nin-sdk average)
 *   train.log             every log line, appended across resumes
 *   cache/                decoded datasets (src/train/data), reused by the next run on the same data
 */
export class RunFolder {
  readonly checkpointPath: string;
  readonly bestOnnxPath: string;
  readonly bestPthPath: string;
  readonly logPath: string;
  readonly cacheDir: string;

  constructor(readonly dir: string) {
    this.checkpointPath = join(dir, 'checkpoint.nintrain');
    this.bestOnnxPath = join(dir, 'best.onnx');
    this.bestPthPath = join(dir, 'best.pth');
    this.logPath = join(dir, 'train.log');
    this.cacheDir = join(dir, 'cache');
  }

  async create(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    // train.log is appended to, not replaced: a FIFO there would block the first log line for ever.
    await checkOutputPath(this.logPath);
  }

  /** The saved checkpoint, or undefined when the folder holds none (a new run). */
  async readCheckpoint(): Promise<TrainingCheckpoint | undefined> {
    let bytes: Uint8Array;
    try {
      bytes = await readRegularFile(this.checkpointPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    return decodeTrainingCheckpoint(bytes);
  }

  async writeCheckpoint(checkpoint: TrainingCheckpoint): Promise<void> {
    await writeFileAtomic(this.checkpointPath, encodeTrainingCheckpoint(checkpoint));
  }

  /** best.onnx (with the run's labels and preprocessing) and best.pth (with best_acc when there is a test set). */
  async writeBest(checkpoint: TrainingCheckpoint, accuracy: number | undefined): Promise<void> {
    await writeFileAtomic(this.bestOnnxPath, checkpointOnnx(checkpoint));
    await writeFileAtomic(
      this.bestPthPath,
      exportPytorchCheckpoint(exportedModel(checkpoint).parameters, { bestAccuracy: accuracy }),
    );
  }

  epochPthPath(epoch: number): string {
    return join(this.dir, `epoch-${epoch}.pth`);
  }

  /** epoch-<N>.pth for a checkpoint saved at the end of epoch N. */
  async writeEpochModel(checkpoint: TrainingCheckpoint): Promise<void> {
    const epoch = checkpoint.progress?.iterator.epoch;
    if (epoch === undefined) throw new Error("internal: an epoch model needs the run's progress");
    await writeFileAtomic(this.epochPthPath(epoch), exportPytorchCheckpoint(exportedModel(checkpoint).parameters));
  }

  appendLog(line: string): void {
    appendFileSync(this.logPath, `${line}\n`);
  }
}
