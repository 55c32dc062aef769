#!/usr/bin/env node
import { createRequire } from 'node:module';
import type * as OrtCommon from 'onnxruntime-common';
import { NIN_SDK_VERSION } from '../version.js';
import { fileURLToPath } from 'node:url';
import { UsageError } from './errors.js';
import { CHILD_ENV, mayStartGpuProvider, RAW_ENV, runFiltered } from './native-stderr.js';
import { runCommand } from './run-command.js';

const HELP = `Usage: nin-sdk <command> [options]

Network-in-Network models on ONNX Runtime.

Commands:
  predict <images or folders...>   classify images (default model: the embedded CIFAR-10 NIN)
  eval <folder or tar>             accuracy and loss on a <class>/<image> dataset
  info [model.onnx|ckpt.pth]       family, labels, preprocessing, inputs and outputs of a model; of a
                                   checkpoint, what nin-convert would read in it (took, ignored, assumed)
  explain <image> -o <out.png>     where in the image the model saw each class (its class maps); --json
  train --data <folder or tar>     train or fine-tune a NIN on ONNX Runtime (pytorch-nin-cifar10's recipe)
  average <models...> --out <file> average the weights of NINs of one architecture (weight averaging)
  convert <in.pth> <out.onnx>      the same as nin-convert
  quantize <in.onnx> <out.onnx>    int8 (static QDQ) model calibrated on a dataset: --calibrate <folder or tar>
  doctor                           versions, and which execution providers can start here
  serve                            serve models over the Open Inference Protocol (KServe v2 / Triton REST)
  export triton <model.onnx> <dir> write a Triton model repository (config.pbtxt, model, labels)

Run 'nin-sdk <command> --help' for a command's options; 'nin-sdk --version' prints the version.`;

type Command = (argv: readonly string[]) => Promise<number | void>;

/** Each command's modules load only when it runs: predict should not pay for training's or sharp's start-up. */
const COMMANDS: Readonly<Record<string, Command>> = {
  predict: async (argv) => (await import('./commands/predict.js')).runPredict(argv),
  eval: async (argv) => (await import('./commands/eval.js')).runEval(argv),
  info: async (argv) => (await import('./commands/info.js')).runInfo(argv),
  explain: async (argv) => (await import('./commands/explain.js')).runExplain(argv),
  train: async (argv) => (await import('./commands/train.js')).runTrain(argv),
  average: async (argv) => (await import('./commands/average.js')).runAverage(argv),
  convert: async (argv) => (await import('./commands/convert.js')).runConvert(argv),
  quantize: async (argv) => (await import('./commands/quantize.js')).runQuantize(argv),
  doctor: async (argv) => (await import('./commands/doctor.js')).runDoctor(argv),
  serve: async (argv) => (await import('./commands/serve.js')).runServe(argv),
  export: async (argv) => (await import('./commands/export-triton.js')).runExport(argv),
};

async function main(argv: readonly string[]): Promise<number | void> {
  const [command, ...rest] = argv;
  // Asked for, help goes to stdout (exit 0); a bare command is a usage mistake: the same text on stderr, exit 2.
  if (command === undefined) {
    console.error(HELP);
    return 2;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    console.log(HELP);
    return 0;
  }
  if (command === '--version' || command === '-v') {
    console.log(NIN_SDK_VERSION);
    return 0;
  }
  const run = COMMANDS[command];
  if (run === undefined)
    throw new UsageError(`unknown command '${command}': should be one of ${Object.keys(COMMANDS).join(', ')}`);
  // GPU providers' native libraries write to stderr directly: such a run goes through a child whose stderr is
  // filtered (src/cli/native-stderr.ts). NIN_SDK_NATIVE_STDERR=raw shows it all.
  if (process.env[CHILD_ENV] === undefined && process.env[RAW_ENV] !== 'raw' && mayStartGpuProvider(argv)) {
    return runFiltered(fileURLToPath(import.meta.url), argv);
  }
  // ONNX Runtime's process-wide logger would repeat, in colour, a provider failure nin-sdk reports in one line.
  // Required, not imported: the bundle would otherwise carry its own ESM copy of onnxruntime-common, whose env is
  // not the one onnxruntime-node (CommonJS) reads.
  (createRequire(import.meta.url)('onnxruntime-common') as typeof OrtCommon).env.logLevel = 'fatal';
  return run(rest);
}

runCommand('nin-sdk', () => main(process.argv.slice(2)));
