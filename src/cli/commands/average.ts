import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import {
  exportInferenceOnnx,
  exportPytorchCheckpoint,
  averageModels,
  ninModelOf,
  describeArchitecture,
  readTrainingStart,
} from '../../train/internal.js';
import { readingLines } from '../../convert/index.js';
import { readRegularFile, writeFileAtomic } from '../../io/index.js';
import { parseCommandLine } from '../args.js';
import { UsageError } from '../errors.js';

export const AVERAGE_HELP = `Usage: nin-sdk average <model> <model> [<model> ...] --out <file.onnx|file.pth>

Averages the weights of two or more NINs of one architecture, element by element: stochastic weight averaging
(Izmailov et al., 2018), e.g. of one 'nin-sdk train' run's checkpoints from its last epochs, or of models
fine-tuned from one start. A NIN has no batch normalisation, so the average needs no pass over the data. Models
that trained far apart do not average into a better model, and ones from different starts not into a working
one: evaluate the result (nin-sdk eval --model) before using it.

Models: PyTorch checkpoints of either family, ONNX models of nin-convert or nin-sdk train, and nin-sdk train's
checkpoint.nintrain files. Their labels and preprocessing must agree; the average keeps them.

Options:
  --out <file>   .onnx: an inference model, as nin-convert writes; .pth: {'state_dict'} for the family's
                 nn.Sequential (load_state_dict(strict=True))
  -h, --help     show this help

The output is written whole or not at all.`;

type OutputKind = 'onnx' | 'pth';

/** `nin-sdk average`: one line on stdout saying what was written. */
export async function runAverage(argv: readonly string[]): Promise<void> {
  const { values, positionals } = parseCommandLine(() =>
    parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }),
  );
  if (values.help) return void console.log(AVERAGE_HELP);
  if (positionals.length < 2) throw new UsageError(`average needs at least 2 models, got ${positionals.length}`);
  if (values.out === undefined) throw new UsageError('average needs --out <file.onnx|file.pth>');
  const output = values.out;
  const kind = outputKind(output);

  const models = [];
  for (const source of positionals) {
    const start = readTrainingStart(await readRegularFile(source), source);
    // As nin-convert says them: where the weights were, what was left aside, what was assumed.
    for (const line of readingLines(start)) console.error(`nin-sdk average: ${source}: ${line}`);
    models.push({ source, model: ninModelOf(start, source) });
  }
  const average = averageModels(models);
  const bytes =
    kind === 'onnx'
      ? exportInferenceOnnx(average.architecture, average.parameters, average)
      : exportPytorchCheckpoint(average.parameters);
  await writeFileAtomic(output, bytes);
  console.log(`averaged ${models.length} models (${describeArchitecture(average.architecture)}) → ${output}`);
}

function outputKind(path: string): OutputKind {
  const extension = extname(path).toLowerCase();
  if (extension === '.onnx') return 'onnx';
  if (extension === '.pth' || extension === '.pt') return 'pth';
  throw new UsageError(`--out ${path}: should end in .onnx or .pth`);
}
