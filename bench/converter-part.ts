import { runConversionBench, type ConversionBenchResult } from './conversion-bench.js';
import { measureMemoryStages } from './measure-node.js';
import type { StageBreakdown } from './memory-stages.js';
import type { BenchOptions } from './options.js';
import { assertCheckpointsExist, CIFAR_FULL, IMAGENET_LEGACY_V1, IMAGENET_ZIP } from './paths.js';
import type { ConversionSection, ThroughputSection } from './results.js';
import {
  conversionMemoryTable,
  conversionTimeTable,
  memoryStagesTable,
  summarizeBaselines,
  summarizeConversions,
  summarizeThroughput,
  throughputTable,
} from './converter-summary.js';
import { runThroughputCase, type ThroughputCase } from './throughput-bench.js';

const CHECKPOINTS = [IMAGENET_ZIP, IMAGENET_LEGACY_V1, CIFAR_FULL] as const;
const THROUGHPUT_BATCHES = [1, 32] as const;

export interface ConverterPart {
  readonly torchVersion: string;
  readonly conversion: ConversionSection;
  readonly throughput: ThroughputSection;
}

/**
 * nin-convert against the Python path (torch.load + nn.Module + torch.onnx.export) on the same checkpoints, memory
 * by stage, and ONNX Runtime throughput of both ONNX files.
 */
export async function runConverterPart(
  options: BenchOptions,
  workDir: string,
  progress: (line: string) => void,
): Promise<ConverterPart> {
  assertCheckpointsExist(CHECKPOINTS);
  const conversion = await runConversionBench(CHECKPOINTS, options.repetitions, workDir, progress);
  const memoryStages = await runMemoryStages(progress);
  const throughput = await runThroughput(conversion, options, progress);
  return {
    torchVersion: conversion.baselines.torchImport[0]?.report.torchVersion ?? 'unknown',
    conversion: {
      summary: summarizeConversions(conversion),
      baselines: summarizeBaselines(conversion),
      samples: {
        cases: conversion.cases.map((c) => ({
          checkpoint: c.checkpoint.id,
          checkpointBytes: c.checkpointBytes,
          ours: c.ours,
          torch: c.torch,
        })),
        baselines: conversion.baselines,
      },
      memoryStages,
    },
    throughput: { summary: throughput.map(summarizeThroughput), samples: throughput },
  };
}

export function converterTables(
  conversion: ConversionSection,
  throughput: ThroughputSection,
  repetitions: number,
): string[] {
  return [
    conversionTimeTable(conversion.summary, repetitions),
    conversionMemoryTable(conversion.summary, conversion.baselines),
    memoryStagesTable(conversion.memoryStages),
    throughputTable(throughput.summary),
  ];
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
async function runThroughput(
  conversion: ConversionBenchResult,
  options: BenchOptions,
  progress: (line: string) => void,
): Promise<ThroughputCase[]> {
  const cases: ThroughputCase[] = [];
  for (const checkpoint of [CIFAR_FULL, IMAGENET_ZIP]) {
    const converted = conversion.cases.find((c) => c.checkpoint === checkpoint);
    if (converted === undefined) throw new Error(`no conversion of ${checkpoint.id} to run`);
    for (const batch of THROUGHPUT_BATCHES) {
      progress(`throughput: ${checkpoint.family}, batch ${batch}`);
      const settings = { secondsPerCase: options.secondsPerCase, minimumRuns: 5 };
      cases.push(
        await runThroughputCase(converted.ourOnnxPath, converted.torchOnnxPath, checkpoint.family, batch, settings),
      );
    }
  }
  return cases;
}
