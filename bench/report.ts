import type { StageBreakdown } from './memory-stages.js';
import { TARGETS, type BaselineSummary, type ConversionSummary, type ThroughputSummary } from './summarize.js';
import { formatTable } from './text-table.js';

const fixed = (n: number, digits = 0): string => n.toFixed(digits);
const times = (n: number): string => `${n.toFixed(2)}×`;
const verdict = (met: boolean): string => (met ? 'met' : 'MISSED');
/** Throughput ratios within 5% of even are within this machine's noise: called even, not missed. */
const throughputVerdict = (ratio: number): string => (ratio >= TARGETS.throughputRatio ? 'met' : ratio >= 0.95 * TARGETS.throughputRatio ? 'even' : 'MISSED');

export function conversionTimeTable(rows: readonly ConversionSummary[], repetitions: number): string {
  return [
    `Conversion time, median of ${repetitions} (fresh process each, ours and torch interleaved)`,
    `  wall = spawn to exit; work = the conversion alone (ours: minus 'nin-convert --version', which loads the same modules; torch: load + build + export, after import torch)`,
    formatTable(
      ['checkpoint', 'MB', 'ours wall ms', 'torch wall ms', 'torch/ours', 'ours work ms', 'torch work ms', 'torch/ours', `≥${TARGETS.conversionSpeedup}×`],
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
      ['checkpoint', 'MB', 'ours peak', 'ours ÷ ckpt', 'ours − startup', '÷ ckpt', 'torch peak', 'torch − import', `≤${TARGETS.peakOverCheckpoint}× ckpt`, '(ours − node) ÷ ckpt', `≤${TARGETS.peakAboveNodeOverCheckpoint}×`],
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
    `ONNX Runtime (onnxruntime-node, CPU, default session options) images/s = batch / median run time`,
    `  runs of the two models alternate A B B A; on a shared machine, ratios within about ±10% are noise`,
    `  ours = nin-convert's ONNX; exporter = torch.onnx.export (opset 17, dynamic batch) of the same weights`,
    formatTable(
      ['model', 'batch', 'ours img/s', 'exporter img/s', 'ours/exporter', 'runs', 'max|Δ| logits', 'max|Δ| probs', `≥${TARGETS.throughputRatio}×`],
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
      return [fixed(mb(now), 1), i === 0 ? '' : `+${fixed(mb(now - before), 1)}`, fixed(marks[i]?.milliseconds ?? Number.NaN)];
    }),
  ]);
  return [
    `Where our peak and time go: peak RSS (MB) after each stage of convertCheckpoint, what it added, its ms (one run each;`,
    `  every stage's result is kept alive, as in convertCheckpoint; 'modules loaded' ms counts from process start)`,
    formatTable(['stage', ...breakdowns.flatMap((b) => [b.checkpoint, 'added', 'ms'])], rows),
  ].join('\n');
}
