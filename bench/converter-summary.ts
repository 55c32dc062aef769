import type { ConversionBenchResult } from './conversion-bench.js';
import type { StageBreakdown } from './memory-stages.js';
import { median, medianOf } from './stats.js';
import { fixed, formatTable, times, verdict } from './text-table.js';
import type { ThroughputCase } from './throughput-bench.js';

const MB = 1e6;
const kibToMB = (kib: number): number => (kib * 1024) / MB;

/** peakAboveNodeOverCheckpoint (issue 19): the conversion's peak RSS minus an empty node's, at most 2× the checkpoint. */
export const TARGETS = Object.freeze({
  conversionSpeedup: 10,
  peakOverCheckpoint: 3,
  peakAboveNodeOverCheckpoint: 2,
  throughputRatio: 1,
});

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
    const torchWorkMs =
      1000 * medianOf(c.torch, (s) => s.report.loadSeconds + s.report.buildSeconds + s.report.exportSeconds);
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

// Tables

/** Throughput ratios within 5% of even are within this machine's noise: called even, not missed. */
const throughputVerdict = (ratio: number): string =>
  ratio >= TARGETS.throughputRatio ? 'met' : ratio >= 0.95 * TARGETS.throughputRatio ? 'even' : 'MISSED';

export function conversionTimeTable(rows: readonly ConversionSummary[], repetitions: number): string {
  return [
    `Conversion time, median of ${repetitions} (fresh process each, ours and torch interleaved)`,
    `  wall = spawn to exit; work = the conversion alone (ours: minus 'nin-convert --version', which loads the same modules; torch: load + build + export, after import torch)`,
    formatTable(
      [
        'checkpoint',
        'MB',
        'ours wall ms',
        'torch wall ms',
        'torch/ours',
        'ours work ms',
        'torch work ms',
        'torch/ours',
        `≥${TARGETS.conversionSpeedup}×`,
      ],
      rows.map((r) => [
        r.checkpoint,
        fixed(r.checkpointMB, 1),
        fixed(r.oursWallMs),
        fixed(r.torchWallMs),
        times(r.wallSpeedup),
        fixed(r.oursWorkMs),
        fixed(r.torchWorkMs),
        times(r.workSpeedup),
        verdict(r.wallSpeedup >= TARGETS.conversionSpeedup),
      ]),
    ),
  ].join('\n');
}

export function conversionMemoryTable(rows: readonly ConversionSummary[], base: BaselineSummary): string {
  return [
    `Conversion peak RSS, median (MB = 10^6 bytes)`,
    `  baselines: empty node ${fixed(base.emptyNodePeakMB, 1)} MB; nin-convert --version ${fixed(base.cliStartupPeakMB, 1)} MB; ` +
      `python + import torch ${fixed(base.torchImportPeakMB, 1)} MB`,
    `  start-up wall: empty node ${fixed(base.emptyNodeWallMs)} ms; nin-convert --version ${fixed(base.cliStartupWallMs)} ms; ` +
      `python + import torch ${fixed(base.torchImportWallMs)} ms`,
    formatTable(
      [
        'checkpoint',
        'MB',
        'ours peak',
        'ours ÷ ckpt',
        'ours − startup',
        '÷ ckpt',
        'torch peak',
        'torch − import',
        `≤${TARGETS.peakOverCheckpoint}× ckpt`,
        '(ours − node) ÷ ckpt',
        `≤${TARGETS.peakAboveNodeOverCheckpoint}×`,
      ],
      rows.map((r) => [
        r.checkpoint,
        fixed(r.checkpointMB, 1),
        fixed(r.oursPeakMB, 1),
        times(r.oursPeakOverCheckpoint),
        fixed(r.oursConversionMB, 1),
        times(r.oursConversionMB / r.checkpointMB),
        fixed(r.torchPeakMB, 1),
        fixed(r.torchConversionMB, 1),
        verdict(r.oursPeakOverCheckpoint <= TARGETS.peakOverCheckpoint),
        times(r.oursAboveNodeOverCheckpoint),
        verdict(r.oursAboveNodeOverCheckpoint <= TARGETS.peakAboveNodeOverCheckpoint),
      ]),
    ),
  ].join('\n');
}

export function throughputTable(rows: readonly ThroughputSummary[]): string {
  return [
    `ONNX Runtime (onnxruntime-node, CPU, the same session options for both, pools asleep between runs) images/s = batch / median run time`,
    `  runs of the two models alternate A B B A; on a shared machine, ratios within about ±10% are noise`,
    `  ours = nin-convert's ONNX; exporter = torch.onnx.export (opset 17, dynamic batch) of the same weights`,
    formatTable(
      [
        'model',
        'batch',
        'ours img/s',
        'exporter img/s',
        'ours/exporter',
        'runs',
        'max|Δ| logits',
        'max|Δ| probs',
        `≥${TARGETS.throughputRatio}×`,
      ],
      rows.map((r) => [
        r.family,
        String(r.batch),
        fixed(r.oursImagesPerSecond, 1),
        fixed(r.exporterImagesPerSecond, 1),
        times(r.ratio),
        String(r.runs),
        (r.maxAbsDifference.logits ?? Number.NaN).toExponential(1),
        (r.maxAbsDifference.probabilities ?? Number.NaN).toExponential(1),
        throughputVerdict(r.ratio),
      ]),
    ),
  ].join('\n');
}

/** Peak RSS after each stage of convertCheckpoint, what that stage added to it and its time, per checkpoint. */
export function memoryStagesTable(breakdowns: readonly StageBreakdown[]): string {
  const stages = breakdowns[0]?.marks.map((m) => m.stage) ?? [];
  const mb = (kib: number): number => (kib * 1024) / 1e6;
  const rows = stages.map((stage, i) => [
    stage,
    ...breakdowns.flatMap(({ marks }) => {
      const now = marks[i]?.peakRssKib ?? Number.NaN;
      const before = i === 0 ? 0 : (marks[i - 1]?.peakRssKib ?? Number.NaN);
      return [
        fixed(mb(now), 1),
        i === 0 ? '' : `+${fixed(mb(now - before), 1)}`,
        fixed(marks[i]?.milliseconds ?? Number.NaN),
      ];
    }),
  ]);
  return [
    `Where our peak and time go: peak RSS (MB) after each stage of convertCheckpoint, what it added, its ms (one run each;`,
    `  every stage's result is kept alive, as in convertCheckpoint; 'modules loaded' ms counts from process start)`,
    formatTable(['stage', ...breakdowns.flatMap((b) => [b.checkpoint, 'added', 'ms'])], rows),
  ].join('\n');
}
