import type { ConversionBaselines } from './conversion-bench.js';
import type { BenchEnvironment } from './environment.js';
import type { NodeSample } from './measure-node.js';
import type { TorchExportReport, TorchSample } from './measure-torch.js';
import type { BenchOptions } from './options.js';
import type { StageBreakdown } from './memory-stages.js';
import type { BaselineSummary, ConversionSummary, ThroughputSummary } from './summarize.js';
import type { ThroughputCase } from './throughput-bench.js';

/** What bench/results/*.json hold: the summaries the tables show, and every raw sample behind them. */
export interface BenchResults {
  readonly takenAt: string;
  readonly environment: BenchEnvironment;
  readonly options: BenchOptions;
  readonly conversion: {
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
  };
  readonly throughput: {
    readonly summary: readonly ThroughputSummary[];
    readonly samples: readonly ThroughputCase[];
  };
}
