import type { ConversionBaselines } from './conversion-bench.js';
import type { BenchEnvironment } from './environment.js';
import type { NodeSample } from './measure-node.js';
import type { TorchExportReport, TorchSample } from './measure-torch.js';
import type { BenchOptions } from './options.js';
import type { StageBreakdown } from './memory-stages.js';
import type { SdkSection } from './sdk-part.js';
import type { BaselineSummary, ConversionSummary, ThroughputSummary } from './converter-summary.js';
import type { ThroughputCase } from './throughput-bench.js';
import type { TrainingSection } from './training-part.js';
import type { Int8Section } from './int8-part.js';

export interface ConversionSection {
  readonly summary: readonly ConversionSummary[];
  readonly baselines: BaselineSummary;
  readonly samples: {
    readonly cases: readonly {
      readonly checkpoint: string;
      readonly checkpointBytes: number;
      readonly ours: readonly NodeSample[];
      readonly torch: readonly TorchSample<TorchExportReport>[];
    }[];
    readonly baselines: ConversionBaselines;
  };
  readonly memoryStages: readonly StageBreakdown[];
}

export interface ThroughputSection {
  readonly summary: readonly ThroughputSummary[];
  readonly samples: readonly ThroughputCase[];
}

/**
 * What bench/results/*.json hold: the summaries the tables show, and every raw sample behind them. `conversion`
 * and `throughput` are the converter part's, `sdk` the inference SDK's, `training` the training part's; a part that
 * did not run (--only) is absent.
 */
export interface BenchResults {
  readonly takenAt: string;
  readonly environment: BenchEnvironment;
  readonly options: BenchOptions;
  readonly conversion?: ConversionSection;
  readonly throughput?: ThroughputSection;
  readonly sdk?: SdkSection;
  readonly training?: TrainingSection;
  readonly int8?: Int8Section;
}
