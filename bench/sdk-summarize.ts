import type { PredictComparison } from './predict-bench.js';
import type { Top1Agreement } from './predict-agreement.js';
import type { ModelThroughputCase } from './sdk-model-throughput.js';
import { median } from './stats.js';

/** The inference SDK's targets: ×3 PyTorch on the model and end to end (issue 3), cold start at most 0.15 of Python's (issue 19). */
export const SDK_TARGETS = Object.freeze({ modelSpeedup: 3, endToEndSpeedup: 3, coldStartFraction: 0.15 });

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
