import type { Top1Agreement } from './predict-agreement.js';
import type { PredictComparison } from './predict-bench.js';
import type { ModelThroughputCase } from './sdk-model-throughput.js';
import { median } from './stats.js';
import { fixed, formatTable, times, verdict } from './text-table.js';

/**
 * The inference SDK's targets: ×3 PyTorch on the model and end to end (issue 3), cold start at most 0.15 of Python's
 * and at most 250 ms (issue 19).
 */
export const SDK_TARGETS = Object.freeze({
  modelSpeedup: 3,
  endToEndSpeedup: 3,
  coldStartFraction: 0.15,
  coldStartMs: 250,
});

export interface ModelThroughputSummary {
  readonly batch: number;
  readonly ortRuns: number;
  readonly torchRuns: number;
  /** batch / median run time. */
  readonly ortImagesPerSecond: number;
  readonly torchImagesPerSecond: number;
  /** ORT / PyTorch images per second. */
  readonly speedup: number;
  readonly maxAbsDifference: ModelThroughputCase['maxAbsDifference'];
}

export interface PredictSummary {
  readonly images: number;
  readonly runs: number;
  /** Medians, spawn to exit. */
  readonly sdkWallMs: number;
  readonly torchWallMs: number;
  /** images / median wall time, start-up included. */
  readonly sdkImagesPerSecond: number;
  readonly torchImagesPerSecond: number;
  /** Python's wall time / nin-sdk's: how many times faster nin-sdk is. */
  readonly speedup: number;
  /** nin-sdk's wall time as a fraction of Python's (the cold-start target). */
  readonly sdkOverTorch: number;
  readonly agreement: Top1Agreement;
}

export function summarizeModelThroughput(c: ModelThroughputCase): ModelThroughputSummary {
  const ortImagesPerSecond = c.batch / median(c.ortRunSeconds);
  const torchImagesPerSecond = c.batch / median(c.torchRunSeconds);
  return {
    batch: c.batch,
    ortRuns: c.ortRunSeconds.length,
    torchRuns: c.torchRunSeconds.length,
    ortImagesPerSecond,
    torchImagesPerSecond,
    speedup: ortImagesPerSecond / torchImagesPerSecond,
    maxAbsDifference: c.maxAbsDifference,
  };
}

export function summarizePredict(c: PredictComparison): PredictSummary {
  const sdkWallMs = median(c.sdkWallMs);
  const torchWallMs = median(c.torchWallMs);
  return {
    images: c.images,
    runs: c.sdkWallMs.length,
    sdkWallMs,
    torchWallMs,
    sdkImagesPerSecond: (1000 * c.images) / sdkWallMs,
    torchImagesPerSecond: (1000 * c.images) / torchWallMs,
    speedup: torchWallMs / sdkWallMs,
    sdkOverTorch: sdkWallMs / torchWallMs,
    agreement: c.agreement,
  };
}

// Tables

const agreementCell = ({ sameTop1, images }: PredictSummary['agreement']): string => `${sameTop1}/${images}`;

export function modelThroughputTable(rows: readonly ModelThroughputSummary[], threads: number): string {
  return [
    `SDK model only: onnxruntime-node CPU (the SDK's session options) vs PyTorch CPU (eval, no_grad), same weights and batch;`,
    `  images/s = batch / median run time; turns of many runs alternate ORT torch torch ORT; ${threads} threads each`,
    `  (intraOpNumThreads = physical cores, as nin-sdk sets on Node; torch.set_num_threads(${threads}))`,
    formatTable(
      [
        'batch',
        'ORT img/s',
        'torch img/s',
        'ORT/torch',
        'runs ORT',
        'runs torch',
        'max|Δ| logits',
        'max|Δ| probs',
        `≥${SDK_TARGETS.modelSpeedup}×`,
      ],
      rows.map((r) => [
        String(r.batch),
        fixed(r.ortImagesPerSecond, 1),
        fixed(r.torchImagesPerSecond, 1),
        times(r.speedup),
        String(r.ortRuns),
        String(r.torchRuns),
        r.maxAbsDifference.logits.toExponential(1),
        r.maxAbsDifference.probabilities.toExponential(1),
        verdict(r.speedup >= SDK_TARGETS.modelSpeedup),
      ]),
    ),
  ].join('\n');
}

export function predictTable(
  endToEnd: PredictSummary,
  coldStart: PredictSummary,
  coldStartImage: string,
  threads: number,
): string {
  return [
    `SDK predict, fresh process each, spawn to exit, stdout to /dev/null; median of ${endToEnd.runs} (interleaved, after an untimed run each)`,
    `  nin-sdk = node dist/cli/nin-sdk.mjs predict (the bundled bin) (defaults: CPU, batch 32, top 3); python = bench/torch_predict.py`,
    `  (PIL + torchvision + torch on the same checkpoint, batch 32, top 3, torch.set_num_threads(${threads}), one image decoded at a time);`,
    `  same top-1 = images whose most probable class both give, from the untimed run`,
    formatTable(
      [
        'case',
        'images',
        'nin-sdk ms',
        'python ms',
        'nin-sdk img/s',
        'python img/s',
        'python/nin-sdk',
        'nin-sdk÷python',
        'same top-1',
        'target',
        '',
      ],
      [
        [
          'end to end',
          String(endToEnd.images),
          fixed(endToEnd.sdkWallMs),
          fixed(endToEnd.torchWallMs),
          fixed(endToEnd.sdkImagesPerSecond, 1),
          fixed(endToEnd.torchImagesPerSecond, 1),
          times(endToEnd.speedup),
          fixed(endToEnd.sdkOverTorch, 2),
          agreementCell(endToEnd.agreement),
          `≥${SDK_TARGETS.endToEndSpeedup}×`,
          verdict(endToEnd.speedup >= SDK_TARGETS.endToEndSpeedup),
        ],
        [
          `cold start (${coldStartImage})`,
          String(coldStart.images),
          fixed(coldStart.sdkWallMs),
          fixed(coldStart.torchWallMs),
          '',
          '',
          times(coldStart.speedup),
          fixed(coldStart.sdkOverTorch, 2),
          agreementCell(coldStart.agreement),
          `≤${SDK_TARGETS.coldStartFraction}`,
          verdict(coldStart.sdkOverTorch <= SDK_TARGETS.coldStartFraction),
        ],
      ],
    ),
  ].join('\n');
}

/** The cold start against issue 19's absolute goal, and how much of it a bare Node start already takes. */
export function coldStartLine(sdkWallMs: number, bareNodeWallMs: number): string {
  return (
    `cold start: nin-sdk predict ${fixed(sdkWallMs)} ms (target ≤ ${SDK_TARGETS.coldStartMs} ms: ` +
    `${verdict(sdkWallMs <= SDK_TARGETS.coldStartMs)}); node -e 0 ${fixed(bareNodeWallMs)} ms in the same run, ` +
    `so ${fixed(sdkWallMs - bareNodeWallMs)} ms above a bare Node start`
  );
}
