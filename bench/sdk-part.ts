import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { extractClassSample } from './cifar-sample.js';
import { physicalCoreCount } from '../src/io/cpu-cores.js';
import type { BenchOptions } from './options.js';
import {
  CAT_IMAGE,
  CIFAR10_TEST_TAR,
  DEFAULT_MODEL,
  DEFAULT_MODEL_CHECKPOINT,
  PROJECT_ROOT,
  SDK_CLI,
} from './paths.js';
import { comparePredict, type PredictComparison } from './predict-bench.js';
import { runModelThroughputCase, type ModelThroughputCase } from './sdk-model-throughput.js';
import {
  coldStartLine,
  modelThroughputTable,
  predictTable,
  summarizeModelThroughput,
  summarizePredict,
  type ModelThroughputSummary,
  type PredictSummary,
} from './sdk-summary.js';
import { runChild } from './run-child.js';
import { median } from './stats.js';
import { TorchModelWorker } from './torch-model-worker.js';

const MODEL_BATCHES = [1, 32] as const;
const CLASSES = 10;
/** Float32 round-off between two runtimes stays far below this; more means the ONNX and the checkpoint differ. */
const SAME_WEIGHTS_TOLERANCE = 1e-3;

/** The inference SDK's half of the results JSON. */
export interface SdkSection {
  /** Threads of each side: torch.set_num_threads and ONNX Runtime's intra-op pool (physical cores, as the SDK sets). */
  readonly threads: number;
  readonly torchVersion: string;
  readonly summary: {
    readonly modelThroughput: readonly ModelThroughputSummary[];
    readonly endToEnd: PredictSummary;
    readonly coldStart: PredictSummary;
    /** Median `node -e 0`, spawn to exit, timed in the cold start's turns. */
    readonly bareNodeWallMs: number;
  };
  readonly samples: {
    readonly modelThroughput: readonly ModelThroughputCase[];
    readonly endToEnd: PredictComparison;
    /** With `node -e 0` timed in the same turns (baselineWallMs). */
    readonly coldStart: PredictComparison;
  };
}

/** nin-sdk against PyTorch: the model alone, `predict` on CIFAR-10 test JPEGs end to end, and the cold start. */
export async function runSdkPart(
  options: BenchOptions,
  workDir: string,
  progress: (line: string) => void,
): Promise<SdkSection> {
  assertSdkInputsExist();
  const threads = physicalCoreCount();
  const { modelThroughput, torchVersion } = await runModelThroughput(threads, options, workDir, progress);

  progress(`predict end to end: extracting ${options.images} CIFAR-10 test images`);
  const sample = await extractClassSample(CIFAR10_TEST_TAR, options.images / CLASSES, join(workDir, 'cifar10-sample'));
  progress(`predict end to end: ${sample.images} images, ${options.repetitions} runs each`);
  const endToEnd = await comparePredict([sample.folder], options.repetitions, threads);
  progress(`cold start: ${options.repetitions} runs each`);
  // A bare Node start in the same turns: the floor under any Node program on this machine at this load.
  const coldStart = await comparePredict([CAT_IMAGE], options.repetitions, threads, () =>
    runChild(process.execPath, ['-e', '0'], { stdout: 'discard' }),
  );

  return {
    threads,
    torchVersion,
    summary: {
      modelThroughput: modelThroughput.map(summarizeModelThroughput),
      endToEnd: summarizePredict(endToEnd),
      coldStart: summarizePredict(coldStart),
      bareNodeWallMs: median(coldStart.baselineWallMs),
    },
    samples: { modelThroughput, endToEnd, coldStart },
  };
}

export function sdkTables(section: SdkSection): string[] {
  return [
    modelThroughputTable(section.summary.modelThroughput, section.threads),
    predictTable(
      section.summary.endToEnd,
      section.summary.coldStart,
      relative(PROJECT_ROOT, CAT_IMAGE),
      section.threads,
    ),
    coldStartLine(section.summary.coldStart.sdkWallMs, section.summary.bareNodeWallMs),
  ];
}

async function runModelThroughput(
  threads: number,
  options: BenchOptions,
  workDir: string,
  progress: (line: string) => void,
): Promise<{ modelThroughput: ModelThroughputCase[]; torchVersion: string }> {
  const { worker, info } = await TorchModelWorker.start(DEFAULT_MODEL_CHECKPOINT, threads);
  try {
    if (info.threads !== threads) progress(`PyTorch runs ${info.threads} threads though ${threads} were asked for`);
    const modelThroughput: ModelThroughputCase[] = [];
    for (const batch of MODEL_BATCHES) {
      progress(`model throughput: ORT vs PyTorch, batch ${batch}`);
      const settings = { secondsPerCase: options.secondsPerCase, minimumRuns: 5, threads };
      const result = await runModelThroughputCase(DEFAULT_MODEL, worker, batch, settings, workDir);
      if (result.maxAbsDifference.logits > SAME_WEIGHTS_TOLERANCE) {
        progress(
          `ORT and PyTorch logits differ by ${result.maxAbsDifference.logits.toExponential(1)}: is ${relative(PROJECT_ROOT, DEFAULT_MODEL)} converted from this checkpoint?`,
        );
      }
      modelThroughput.push(result);
    }
    return { modelThroughput, torchVersion: info.torchVersion };
  } finally {
    await worker.stop();
  }
}

/** Fails early, saying what makes the missing file, rather than midway through the bench. */
function assertSdkInputsExist(): void {
  const needed = [
    [SDK_CLI, 'npm run build'],
    [DEFAULT_MODEL, 'fixtures/sdk-train/promote.sh'],
    [DEFAULT_MODEL_CHECKPOINT, 'fixtures/sdk-train/run.sh'],
    [CIFAR10_TEST_TAR, 'the CIFAR-10 test JPEGs; NIN_BENCH_CIFAR10_TEST names another copy'],
    [CAT_IMAGE, 'the repository fixtures'],
  ] as const;
  const missing = needed.filter(([path]) => !existsSync(path));
  if (missing.length > 0) throw new Error(`missing: ${missing.map(([path, from]) => `${path} (${from})`).join('; ')}`);
}
