#!/usr/bin/env node
import { NIN_SDK_VERSION } from '../version.js';
import { runConvert } from './commands/convert.js';
import { runDoctor } from './commands/doctor.js';
import { runEval } from './commands/eval.js';
import { runInfo } from './commands/info.js';
import { runPredict } from './commands/predict.js';
import { runTrain } from './commands/train.js';
import { UsageError } from './errors.js';
import { runCommand } from './run-command.js';

const HELP = `Usage: nin-sdk <command> [options]

Network-in-Network models on ONNX Runtime.

Commands:
  predict <images or folders...>   classify images (default model: the embedded CIFAR-10 NIN)
  eval <folder or tar>             accuracy and loss on a <class>/<image> dataset
  info [model.onnx]                family, labels, preprocessing, inputs and outputs of a model
  train --data <folder or tar>     train or fine-tune a NIN on ONNX Runtime (pytorch-nin-cifar10's recipe)
  convert <in.pth> <out.onnx>      the same as nin-convert
  doctor                           versions, and which execution providers can start here

Run 'nin-sdk <command> --help' for a command's options.`;

const COMMANDS: Readonly<Record<string, (argv: readonly string[]) => Promise<number | void>>> = {
  predict: runPredict,
  eval: runEval,
  info: runInfo,
  train: runTrain,
  convert: runConvert,
  doctor: runDoctor,
};

async function main(argv: readonly string[]): Promise<number | void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(HELP);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-v') {
    console.log(NIN_SDK_VERSION);
    return 0;
  }
  const run = COMMANDS[command];
  if (run === undefined) throw new UsageError(`unknown command '${command}': should be one of ${Object.keys(COMMANDS).join(', ')}`);
  return run(rest);
}

runCommand('nin-sdk', () => main(process.argv.slice(2)));
