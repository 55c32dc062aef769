import { physicalCoreCount } from '../src/node/cpu-cores.js';
import type { BenchOptions } from './options.js';
import { median } from './stats.js';
import { formatTable } from './text-table.js';
import { TorchTrainWorker } from './torch-train-worker.js';
import { runTrainingThroughputCase, type TrainingThroughputCase } from './training-throughput.js';

/** Issue 4's target: training images/s at least PyTorch CPU's. */
export const TRAINING_TARGET_SPEEDUP = 1;

/** pytorch-nin-cifar10 at full width (the embedded default model's), and at half (fixtures/default-model/train.py's). */
export const TRAINING_WIDTHS: readonly (readonly number[])[] = [
  [192, 160, 96, 192, 192, 192, 192, 192, 10],
  [96, 80, 48, 96, 96, 96, 96, 96, 10],
];
/** Steps of each side per case, however long they take (a full-width step takes seconds here). */
const MINIMUM_STEPS = 3;

export interface TrainingSummary {
  readonly widths: string;
  readonly batch: number;
  readonly ortSteps: number;
  readonly torchSteps: number;
  /** batch / median step time. */
  readonly ortImagesPerSecond: number;
  readonly torchImagesPerSecond: number;
  readonly speedup: number;
  /** |eval loss (ORT) − eval loss (PyTorch)| of the same starting weights and batch. */
  readonly evalLossDifference: number;
}

export interface TrainingSection {
  /** Threads of each side: ONNX Runtime's intra-op pool and torch.set_num_threads. */
  readonly threads: number;
  readonly torchVersion: string;
  readonly summary: readonly TrainingSummary[];
  readonly samples: readonly TrainingThroughputCase[];
}

/** Training throughput: nin-sdk's TrainingSession against torch.optim.SGD, same model, batch, groups and threads. */
export async function runTrainingPart(
  options: BenchOptions,
  workDir: string,
  progress: (line: string) => void,
): Promise<TrainingSection> {
  const threads = physicalCoreCount();
  const { worker, info } = await TorchTrainWorker.start(threads);
  try {
    if (info.threads !== threads) progress(`PyTorch runs ${info.threads} threads though ${threads} were asked for`);
    const samples: TrainingThroughputCase[] = [];
    for (const widths of TRAINING_WIDTHS) {
      progress(
        `training throughput: widths ${widths.join(',')}, batch ${options.trainingBatch}, ${threads} threads each`,
      );
      const settings = { secondsPerCase: options.secondsPerCase, minimumSteps: MINIMUM_STEPS, threads };
      samples.push(await runTrainingThroughputCase(widths, options.trainingBatch, worker, settings, workDir));
    }
    return { threads, torchVersion: info.torchVersion, summary: samples.map(summarizeTraining), samples };
  } finally {
    await worker.stop();
  }
}

export function summarizeTraining(c: TrainingThroughputCase): TrainingSummary {
  const ortImagesPerSecond = c.batch / median(c.ortStepSeconds);
  const torchImagesPerSecond = c.batch / median(c.torchStepSeconds);
  return {
    widths: c.widths.join(','),
    batch: c.batch,
    ortSteps: c.ortStepSeconds.length,
    torchSteps: c.torchStepSeconds.length,
    ortImagesPerSecond,
    torchImagesPerSecond,
    speedup: ortImagesPerSecond / torchImagesPerSecond,
    evalLossDifference: Math.abs(c.evalLoss.ort - c.evalLoss.torch),
  };
}

export function trainingTables(section: TrainingSection): string[] {
  return [
    [
      'Training: nin-sdk TrainingSession on onnxruntime-node CPU vs torch.optim.SGD on PyTorch CPU, pytorch-nin-cifar10 NIN,',
      '  same starting weights, batch, parameter groups (lr 1e-3 base) and momentum 0.95; one step = Dropout masks,',
      '  forward, backward, SGD update (ours: train model + optimizer model); images/s = batch / median step time;',
      `  turns alternate ORT torch torch ORT; ${section.threads} threads each (intraOpNumThreads, torch.set_num_threads)`,
      formatTable(
        [
          'widths',
          'batch',
          'ORT img/s',
          'torch img/s',
          'ORT/torch',
          'steps ORT',
          'steps torch',
          '|Δ| eval loss',
          `≥${TRAINING_TARGET_SPEEDUP}×`,
        ],
        section.summary.map((r) => [
          r.widths,
          String(r.batch),
          r.ortImagesPerSecond.toFixed(1),
          r.torchImagesPerSecond.toFixed(1),
          `${r.speedup.toFixed(2)}×`,
          String(r.ortSteps),
          String(r.torchSteps),
          r.evalLossDifference.toExponential(1),
          r.speedup >= TRAINING_TARGET_SPEEDUP ? 'met' : 'MISSED',
        ]),
      ),
    ].join('\n'),
  ];
}
