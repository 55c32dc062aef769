/**
 * npm run bench: nin-convert against the Python path (torch.load + nn.Module + torch.onnx.export) on the same
 * checkpoints, and ONNX Runtime throughput of both ONNX files, measured in the same run. Prints tables and writes
 * bench/results/latest.json. Not a test: it never fails on timings.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { runConversionBench, type ConversionBenchResult } from './conversion-bench.js';
import { describeEnvironment, type BenchEnvironment } from './environment.js';
import { measureMemoryStages } from './measure-node.js';
import type { StageBreakdown } from './memory-stages.js';
import { BENCH_HELP, parseBenchOptions, type BenchOptions } from './options.js';
import { assertCheckpointsExist, CIFAR_FULL, IMAGENET_LEGACY_V1, IMAGENET_ZIP, LATEST_RESULTS, PROJECT_ROOT, RESULTS_DIR } from './paths.js';
import { conversionMemoryTable, conversionTimeTable, memoryStagesTable, throughputTable } from './report.js';
import type { BenchResults } from './results.js';
import { summarizeBaselines, summarizeConversions, summarizeThroughput } from './summarize.js';
import { runThroughputCase, type ThroughputCase } from './throughput-bench.js';

const CHECKPOINTS = [IMAGENET_ZIP, IMAGENET_LEGACY_V1, CIFAR_FULL] as const;
const THROUGHPUT_BATCHES = [1, 32] as const;

async function main(options: BenchOptions): Promise<void> {
  assertCheckpointsExist(CHECKPOINTS);
  const loadAverageAtStart = loadavg()[0] ?? 0;
  const progress = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);
  if (loadAverageAtStart > 0.5) progress(`load average ${loadAverageAtStart.toFixed(2)}: other work shares the CPUs, figures will be perturbed`);

  const workDir = mkdtempSync(join(tmpdir(), 'nin-bench-'));
  try {
    const conversion = await runConversionBench(CHECKPOINTS, options.repetitions, workDir, progress);
    const memoryStages = await runMemoryStages(progress);
    const throughput = await runThroughput(conversion, options, progress);
    const environment = describeEnvironment(loadAverageAtStart, conversion.baselines.torchImport[0]?.report.torchVersion ?? 'unknown');
    const results = collectResults(environment, options, conversion, memoryStages, throughput);
    printResults(results, options);
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(LATEST_RESULTS, `${JSON.stringify(results, null, 2)}\n`);
    progress(`results written to ${relative(PROJECT_ROOT, LATEST_RESULTS)}`);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

async function runMemoryStages(progress: (line: string) => void): Promise<StageBreakdown[]> {
  const breakdowns: StageBreakdown[] = [];
  for (const checkpoint of [IMAGENET_ZIP, IMAGENET_LEGACY_V1]) {
    progress(`memory by stage: ${checkpoint.id}`);
    breakdowns.push({ checkpoint: checkpoint.id, marks: await measureMemoryStages(checkpoint.path) });
  }
  return breakdowns;
}

/** Both families at each batch size, on the ONNX files the conversion bench left (ImageNet: from the zip checkpoint). */
async function runThroughput(conversion: ConversionBenchResult, options: BenchOptions, progress: (line: string) => void): Promise<ThroughputCase[]> {
  const cases: ThroughputCase[] = [];
  for (const checkpoint of [CIFAR_FULL, IMAGENET_ZIP]) {
    const converted = conversion.cases.find((c) => c.checkpoint === checkpoint);
    if (converted === undefined) throw new Error(`no conversion of ${checkpoint.id} to run`);
    for (const batch of THROUGHPUT_BATCHES) {
      progress(`throughput: ${checkpoint.family}, batch ${batch}`);
      const settings = { secondsPerCase: options.secondsPerCase, minimumRuns: 5 };
      cases.push(await runThroughputCase(converted.ourOnnxPath, converted.torchOnnxPath, checkpoint.family, batch, settings));
    }
  }
  return cases;
}

function collectResults(
  environment: BenchEnvironment,
  options: BenchOptions,
  conversion: ConversionBenchResult,
  memoryStages: readonly StageBreakdown[],
  throughput: readonly ThroughputCase[],
): BenchResults {
  return {
    takenAt: new Date().toISOString(),
    environment,
    options,
    conversion: {
      summary: summarizeConversions(conversion),
      baselines: summarizeBaselines(conversion),
      samples: {
        cases: conversion.cases.map((c) => ({ checkpoint: c.checkpoint.id, checkpointBytes: c.checkpointBytes, ours: c.ours, torch: c.torch })),
        baselines: conversion.baselines,
      },
      memoryStages,
    },
    throughput: { summary: throughput.map(summarizeThroughput), samples: throughput },
  };
}

function printResults(results: BenchResults, options: BenchOptions): void {
  const { environment: env } = results;
  console.log(
    `\nnin-sdk bench, ${results.takenAt}: ${env.cpuCount} × ${env.cpuModel}, node ${env.node}, onnxruntime-node ${env.onnxruntimeNode}, ` +
      `torch ${env.torch}; load average at start ${env.loadAverageAtStart.toFixed(2)}\n`,
  );
  console.log(conversionTimeTable(results.conversion.summary, options.repetitions), '\n');
  console.log(conversionMemoryTable(results.conversion.summary, results.conversion.baselines), '\n');
  console.log(memoryStagesTable(results.conversion.memoryStages), '\n');
  console.log(throughputTable(results.throughput.summary), '\n');
}

const parsed = parseBenchOptions(process.argv.slice(2));
if (parsed === 'help') console.log(BENCH_HELP);
else await main(parsed);
