import type { ConversionBenchResult } from './conversion-bench.js';
import { median, medianOf } from './stats.js';
import type { ThroughputCase } from './throughput-bench.js';

const MB = 1e6;
const kibToMB = (kib: number): number => (kib * 1024) / MB;

/** peakAboveNodeOverCheckpoint (issue 19): the conversion's peak RSS minus an empty node's, at most 2× the checkpoint. */
export const TARGETS = Object.freeze({ conversionSpeedup: 10, peakOverCheckpoint: 3, peakAboveNodeOverCheckpoint: 2, throughputRatio: 1 });

export interface ConversionSummary {
  readonly checkpoint: string;
  readonly checkpointMB: number;
  /** Spawn to exit, medians. */
  readonly oursWallMs: number;
  readonly torchWallMs: number;
  /** torch / ours: how many times faster nin-convert is, end to end. */
  readonly wallSpeedup: number;
  /** The conversion alone. Ours: exit time minus that of `nin-convert --version`. Torch: load + build + export, after `import torch`. */
  readonly oursWorkMs: number;
  readonly torchWorkMs: number;
  readonly workSpeedup: number;
  readonly oursPeakMB: number;
  readonly oursPeakOverCheckpoint: number;
  /** (ours peak − empty node's peak) ÷ checkpoint size. */
  readonly oursAboveNodeOverCheckpoint: number;
  /** Peak minus that of `nin-convert --version`: the memory the conversion itself adds. */
  readonly oursConversionMB: number;
  readonly torchPeakMB: number;
  readonly torchConversionMB: number;
}

export interface BaselineSummary {
  readonly emptyNodePeakMB: number;
  readonly emptyNodeWallMs: number;
  readonly cliStartupPeakMB: number;
  readonly cliStartupWallMs: number;
  readonly torchImportPeakMB: number;
  readonly torchImportWallMs: number;
}

export interface ThroughputSummary {
  readonly family: string;
  readonly batch: number;
  /** Timed runs of each model. */
  readonly runs: number;
  /** batch / median run time. */
  readonly oursImagesPerSecond: number;
  readonly exporterImagesPerSecond: number;
  /** ours / exporter's images per second. */
  readonly ratio: number;
  readonly maxAbsDifference: Readonly<Record<string, number>>;
}

export function summarizeBaselines({ baselines }: ConversionBenchResult): BaselineSummary {
  return {
    emptyNodePeakMB: kibToMB(medianOf(baselines.emptyNode, (s) => s.peakRssKib)),
    emptyNodeWallMs: medianOf(baselines.emptyNode, (s) => s.wallMs),
    cliStartupPeakMB: kibToMB(medianOf(baselines.cliStartup, (s) => s.peakRssKib)),
    cliStartupWallMs: medianOf(baselines.cliStartup, (s) => s.wallMs),
    torchImportPeakMB: kibToMB(medianOf(baselines.torchImport, (s) => s.report.peakRssKib)),
    torchImportWallMs: medianOf(baselines.torchImport, (s) => s.wallMs),
  };
}

export function summarizeConversions(result: ConversionBenchResult): ConversionSummary[] {
  const importExitMs = medianOf(result.baselines.cliStartup, (s) => s.exitAtMs);
  const base = summarizeBaselines(result);
  return result.cases.map((c) => {
    const oursWallMs = medianOf(c.ours, (s) => s.wallMs);
    const torchWallMs = medianOf(c.torch, (s) => s.wallMs);
    const oursWorkMs = medianOf(c.ours, (s) => s.exitAtMs) - importExitMs;
    const torchWorkMs = 1000 * medianOf(c.torch, (s) => s.report.loadSeconds + s.report.buildSeconds + s.report.exportSeconds);
    const oursPeakMB = kibToMB(medianOf(c.ours, (s) => s.peakRssKib));
    const torchPeakMB = kibToMB(medianOf(c.torch, (s) => s.report.peakRssKib));
    const checkpointMB = c.checkpointBytes / MB;
    return {
      checkpoint: c.checkpoint.id,
      checkpointMB,
      oursWallMs,
      torchWallMs,
      wallSpeedup: torchWallMs / oursWallMs,
      oursWorkMs,
      torchWorkMs,
      workSpeedup: torchWorkMs / oursWorkMs,
      oursPeakMB,
      oursPeakOverCheckpoint: oursPeakMB / checkpointMB,
      oursAboveNodeOverCheckpoint: (oursPeakMB - base.emptyNodePeakMB) / checkpointMB,
      oursConversionMB: oursPeakMB - base.cliStartupPeakMB,
      torchPeakMB,
      torchConversionMB: torchPeakMB - base.torchImportPeakMB,
    };
  });
}

export function summarizeThroughput(c: ThroughputCase): ThroughputSummary {
  const oursImagesPerSecond = c.batch / median(c.oursRunSeconds);
  const exporterImagesPerSecond = c.batch / median(c.exporterRunSeconds);
  return {
    family: c.family,
    batch: c.batch,
    runs: c.oursRunSeconds.length,
    oursImagesPerSecond,
    exporterImagesPerSecond,
    ratio: oursImagesPerSecond / exporterImagesPerSecond,
    maxAbsDifference: c.maxAbsDifference,
  };
}
