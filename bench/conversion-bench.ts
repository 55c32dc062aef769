import { statSync } from 'node:fs';
import { join } from 'node:path';
import { measureCliStartup, measureEmptyNode, measureOurConversion, type NodeSample } from './measure-node.js';
import {
  measureTorchExport,
  measureTorchImport,
  type TorchExportReport,
  type TorchReport,
  type TorchSample,
} from './measure-torch.js';
import type { BenchCheckpoint } from './paths.js';

export interface ConversionCase {
  readonly checkpoint: BenchCheckpoint;
  readonly checkpointBytes: number;
  readonly ours: readonly NodeSample[];
  readonly torch: readonly TorchSample<TorchExportReport>[];
  /** Where the last repetition left each ONNX file (the throughput bench runs them). */
  readonly ourOnnxPath: string;
  readonly torchOnnxPath: string;
}

/** Processes that do nothing but start: subtracted from the conversions to show the converter's own share. */
export interface ConversionBaselines {
  readonly emptyNode: readonly NodeSample[];
  readonly cliStartup: readonly NodeSample[];
  readonly torchImport: readonly TorchSample<TorchReport>[];
}

export interface ConversionBenchResult {
  readonly cases: readonly ConversionCase[];
  readonly baselines: ConversionBaselines;
}

/**
 * Every repetition runs every process once, ours and torch's back to back and in alternating order, so that a
 * background job's load falls on both sides alike.
 */
export async function runConversionBench(
  checkpoints: readonly BenchCheckpoint[],
  repetitions: number,
  workDir: string,
  progress: (line: string) => void,
): Promise<ConversionBenchResult> {
  const ours = checkpoints.map((): NodeSample[] => []);
  const torch = checkpoints.map((): TorchSample<TorchExportReport>[] => []);
  const baselines = {
    emptyNode: [] as NodeSample[],
    cliStartup: [] as NodeSample[],
    torchImport: [] as TorchSample<TorchReport>[],
  };
  const ourOnnx = (i: number): string => join(workDir, `ours-${i}.onnx`);
  const torchOnnx = (i: number): string => join(workDir, `torch-${i}.onnx`);

  for (let rep = 0; rep < repetitions; rep++) {
    progress(`conversion: repetition ${rep + 1} of ${repetitions}`);
    baselines.emptyNode.push(await measureEmptyNode());
    baselines.cliStartup.push(await measureCliStartup());
    baselines.torchImport.push(await measureTorchImport());
    for (const [i, checkpoint] of checkpoints.entries()) {
      const runOurs = async (): Promise<void> =>
        void ours[i]!.push(await measureOurConversion(checkpoint.path, ourOnnx(i)));
      const runTorch = async (): Promise<void> =>
        void torch[i]!.push(await measureTorchExport(checkpoint.path, torchOnnx(i)));
      for (const run of (rep + i) % 2 === 0 ? [runOurs, runTorch] : [runTorch, runOurs]) await run();
    }
  }

  const cases = checkpoints.map((checkpoint, i) => ({
    checkpoint,
    checkpointBytes: statSync(checkpoint.path).size,
    ours: ours[i]!,
    torch: torch[i]!,
    ourOnnxPath: ourOnnx(i),
    torchOnnxPath: torchOnnx(i),
  }));
  return { cases, baselines };
}
