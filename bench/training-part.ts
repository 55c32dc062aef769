import { physicalCoreCount } from '../src/io/cpu-cores.js';
import type { BenchOptions } from './options.js';
import { median } from './stats.js';
import { formatTable } from './text-table.js';
import { measureFp32Peak } from './fp32-peak.js';
import { TorchTrainWorker } from './torch-train-worker.js';
import { runTrainingThroughputCase, type TrainingThroughputCase } from './training-throughput.js';

/** Issue 4's target: training images/s at least PyTorch CPU's. */
export const TRAINING_TARGET_SPEEDUP = 1;
/** Issue 32's target: a full-width training step at ≥ 60 % of the fp32 peak (inference reaches ~75 %). */
export const TRAINING_TARGET_PEAK_FRACTION = 0.6;

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
  /** 2 × the step's multiply-adds × images/s, each side (see training-flops.ts). */
  readonly ortGflops: number;
  readonly torchGflops: number;
  /** Of the section's fp32 peak. */
  readonly ortPeakFraction: number;
  readonly torchPeakFraction: number;
}

export interface TrainingSection {
  /** Threads of each side: ONNX Runtime's intra-op pool and torch.set_num_threads. */
  readonly threads: number;
  readonly torchVersion: string;
  /** ONNX Runtime's best fp32 GFLOP/s with the same threads, measured before and after the cases (fp32-peak.ts). */
  readonly fp32PeakGflops: { readonly before: number; readonly after: number };
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
    progress(`fp32 peak: chained 1024² MatMuls, ${threads} threads`);
    const peakBefore = await measureFp32Peak(threads);
    const samples: TrainingThroughputCase[] = [];
    for (const widths of TRAINING_WIDTHS) {
      progress(
        `training throughput: widths ${widths.join(',')}, batch ${options.trainingBatch}, ${threads} threads each`,
      );
      const settings = { secondsPerCase: options.secondsPerCase, minimumSteps: MINIMUM_STEPS, threads };
      samples.push(await runTrainingThroughputCase(widths, options.trainingBatch, worker, settings, workDir));
    }
    const fp32PeakGflops = { before: peakBefore, after: await measureFp32Peak(threads) };
    const peak = Math.max(fp32PeakGflops.before, fp32PeakGflops.after);
    return {
      threads,
      torchVersion: info.torchVersion,
      fp32PeakGflops,
      summary: samples.map((c) => summarizeTraining(c, peak)),
      samples,
    };
  } finally {
    await worker.stop();
  }
}

export function summarizeTraining(c: TrainingThroughputCase, peakGflops: number): TrainingSummary {
  const ortImagesPerSecond = c.batch / median(c.ortStepSeconds);
  const torchImagesPerSecond = c.batch / median(c.torchStepSeconds);
  const gflops = (imagesPerSecond: number): number => (2 * c.multiplyAddsPerImage * imagesPerSecond) / 1e9;
  return {
    widths: c.widths.join(','),
    batch: c.batch,
    ortSteps: c.ortStepSeconds.length,
    torchSteps: c.torchStepSeconds.length,
    ortImagesPerSecond,
    torchImagesPerSecond,
    speedup: ortImagesPerSecond / torchImagesPerSecond,
    evalLossDifference: Math.abs(c.evalLoss.ort - c.evalLoss.torch),
    ortGflops: gflops(ortImagesPerSecond),
    torchGflops: gflops(torchImagesPerSecond),
    ortPeakFraction: gflops(ortImagesPerSecond) / peakGflops,
    torchPeakFraction: gflops(torchImagesPerSecond) / peakGflops,
  };
}

export function trainingTables(section: TrainingSection): string[] {
  return [
    [
      'Training: nin-sdk TrainingSession on onnxruntime-node CPU vs torch.optim.SGD on PyTorch CPU, pytorch-nin-cifar10 NIN,',
      '  same starting weights, batch, parameter groups (lr 1e-3 base) and momentum 0.95; one step = Dropout masks,',
      '  forward, backward, SGD update (ours: train model + optimizer model); images/s = batch / median step time;',
      `  turns alternate ORT torch torch ORT; ${section.threads} threads each (ours: ${ourThreads(section)}; torch.set_num_threads);`,
      `  GFLOP/s = 2 × the step's conv multiply-adds × images/s; fp32 peak = ONNX Runtime's best chained 1024² MatMul,`,
      `  same threads: ${section.fp32PeakGflops.before.toFixed(0)} GFLOP/s before the cases, ${section.fp32PeakGflops.after.toFixed(0)} after (the larger is used)`,
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
          'ORT GFLOP/s',
          'ORT % peak',
          'torch % peak',
          `≥${TRAINING_TARGET_PEAK_FRACTION * 100} % peak`,
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
          r.ortGflops.toFixed(0),
          (100 * r.ortPeakFraction).toFixed(1),
          (100 * r.torchPeakFraction).toFixed(1),
          r.ortPeakFraction >= TRAINING_TARGET_PEAK_FRACTION ? 'met' : 'MISSED',
        ]),
      ),
    ].join('\n'),
  ];
}

/** How our side used its threads: as `nin-sdk train` does, replicas of the training model where the model allows. */
function ourThreads(section: TrainingSection): string {
  const replicas = new Set(section.samples.map((c) => c.replicas));
  if (replicas.size === 1 && replicas.has(1)) return 'intraOpNumThreads';
  return `${[...replicas].join(' / ')} replicas of the training model, each on a share of the batch with one thread`;
}
