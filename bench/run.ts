/**
 * npm run bench: each figure against a baseline measured in the same run. Three parts, all by default
 * (`--only converter`, `--only sdk` or `--only training` runs one):
 *   converter: nin-convert against torch.load + nn.Module + torch.onnx.export on the same checkpoints, and ONNX
 *              Runtime throughput of both ONNX files;
 *   sdk:       the default model on ONNX Runtime against the same weights in PyTorch, `nin-sdk predict` against a
 *              PIL + torchvision + torch script end to end on CIFAR-10 test JPEGs, and their cold starts;
 *   training:  nin-sdk's TrainingSession against torch.optim.SGD, images/s of a pytorch-nin-cifar10 training step.
 * Prints tables and writes bench/results/latest.json. Not a test: it never fails on timings.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { converterTables, runConverterPart, type ConverterPart } from './converter-part.js';
import { describeEnvironment } from './environment.js';
import { BENCH_HELP, parseBenchOptions, type BenchOptions } from './options.js';
import { LATEST_RESULTS, PROJECT_ROOT, RESULTS_DIR } from './paths.js';
import type { BenchResults } from './results.js';
import { runSdkPart, sdkTables, type SdkSection } from './sdk-part.js';
import { runTrainingPart, trainingTables, type TrainingSection } from './training-part.js';
import { int8Tables, runInt8Part } from './int8-part.js';
import { runServePart, serveTables } from './serve-bench.js';

async function main(options: BenchOptions): Promise<void> {
  const loadAverageAtStart = loadavg()[0] ?? 0;
  const progress = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);
  if (loadAverageAtStart > 0.5)
    progress(`load average ${loadAverageAtStart.toFixed(2)}: other work shares the CPUs, figures will be perturbed`);

  const workDir = mkdtempSync(join(tmpdir(), 'nin-bench-'));
  try {
    const converter = options.parts.includes('converter')
      ? await runConverterPart(options, workDir, progress)
      : undefined;
    const sdk = options.parts.includes('sdk') ? await runSdkPart(options, workDir, progress) : undefined;
    const training = options.parts.includes('training') ? await runTrainingPart(options, workDir, progress) : undefined;
    const int8 = options.parts.includes('int8') ? await runInt8Part(options, progress) : undefined;
    const serve = options.parts.includes('serve') ? await runServePart(progress) : undefined;
    const results = {
      ...collectResults(loadAverageAtStart, options, converter, sdk, training),
      ...(int8 === undefined ? {} : { int8 }),
      ...(serve === undefined ? {} : { serve }),
    };
    printResults(results, options);
    if (serve !== undefined) for (const table of serveTables(serve)) console.log(table, '\n');
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(LATEST_RESULTS, `${JSON.stringify(results, null, 2)}\n`);
    progress(`results written to ${relative(PROJECT_ROOT, LATEST_RESULTS)}`);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

function collectResults(
  loadAverageAtStart: number,
  options: BenchOptions,
  converter: ConverterPart | undefined,
  sdk: SdkSection | undefined,
  training: TrainingSection | undefined,
): BenchResults {
  const torchVersion = converter?.torchVersion ?? sdk?.torchVersion ?? training?.torchVersion ?? 'unknown';
  return {
    takenAt: new Date().toISOString(),
    environment: describeEnvironment(loadAverageAtStart, torchVersion),
    options,
    ...(converter === undefined ? {} : { conversion: converter.conversion, throughput: converter.throughput }),
    ...(sdk === undefined ? {} : { sdk }),
    ...(training === undefined ? {} : { training }),
  };
}

function printResults(results: BenchResults, options: BenchOptions): void {
  const { environment: env } = results;
  console.log(
    `\nnin-sdk bench (${options.parts.join(', ')}), ${results.takenAt}: ${env.cpuCount} × ${env.cpuModel}, node ${env.node}, ` +
      `onnxruntime-node ${env.onnxruntimeNode}, torch ${env.torch}; load average at start ${env.loadAverageAtStart.toFixed(2)}\n`,
  );
  const tables = [
    ...(results.conversion && results.throughput
      ? converterTables(results.conversion, results.throughput, options.repetitions)
      : []),
    ...(results.sdk ? sdkTables(results.sdk) : []),
    ...(results.training ? trainingTables(results.training) : []),
    ...(results.int8 ? int8Tables(results.int8) : []),
  ];
  for (const table of tables) console.log(table, '\n');
}

const parsed = parseBenchOptions(process.argv.slice(2));
if (parsed === 'help') console.log(BENCH_HELP);
else await main(parsed);
