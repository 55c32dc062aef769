import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
// Only what the help text needs is imported up front: the converter (pickle, zip, graph, protobuf) loads when a
// conversion runs, so --help and usage errors answer at once.
import { FAMILY_IDS } from '../../../converters/nin/families.js';
import { SUPPORTED_OPSETS } from '../../../converters/nin/opsets.js';
import { NIN_SDK_VERSION } from '../../version.js';
import { choiceOption, integerOption, parseCommandLine } from '../args.js';
import { UsageError } from '../errors.js';
import { readLabelsFile } from '../labels-file.js';
import { sha256Hex } from '../../node/sha256.js';
import { writeFileAtomic } from '../../node/write-atomic.js';

export const CONVERT_HELP = `Usage: nin-convert <checkpoint.pth> <out.onnx> [options]

Converts a PyTorch Network-in-Network checkpoint to ONNX: pytorch-nin-cifar10 or pytorch-nin (ImageNet),
any width, in every format PyTorch has written (zip, legacy, torch <= 0.3), bare state_dicts or wrapped
({'state_dict': ...}, {'model': ...}, DataParallel 'module.' prefixes). Nothing in the file is executed.

Options:
  --family <${FAMILY_IDS.join('|')}>  treat the checkpoint as this family instead of recognising it
                            (renamed keys are then matched to the layers in order)
  --labels <file>           class names, one per line (default: the family's CIFAR-10 / ImageNet names)
  --opset <n>               ONNX opset, ${SUPPORTED_OPSETS.min} to ${SUPPORTED_OPSETS.max} (default 17: onnxruntime-node and -web 1.30 load it)
  --float16                 store weights as float16: half the file, still computes in float32
  -q, --quiet               print nothing on success
  -h, --help                show this help
  -v, --version             show the version

The output is written whole or not at all. Exit codes: 0 ok, 1 bad input, 2 bad usage.`;

/** `nin-convert` and `nin-sdk convert`. */
export async function runConvert(argv: readonly string[]): Promise<number | void> {
  const { values, positionals } = parseCommandLine(() =>
    parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        family: { type: 'string' },
        labels: { type: 'string' },
        opset: { type: 'string' },
        float16: { type: 'boolean', default: false },
        quiet: { type: 'boolean', short: 'q', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    }),
  );
  if (values.help) return void console.log(CONVERT_HELP);
  if (values.version) return void console.log(NIN_SDK_VERSION);
  // A bare command is a usage mistake, answered as nin-sdk's is: the help on stderr, exit 2.
  if (argv.length === 0) {
    console.error(CONVERT_HELP);
    return 2;
  }
  if (positionals.length !== 2) {
    throw new UsageError(`expected a checkpoint and an output path, got ${positionals.length} argument${positionals.length === 1 ? '' : 's'}`);
  }
  const [input, output] = positionals as [string, string];
  const family = choiceOption('family', values.family, FAMILY_IDS);
  const opsetVersion = integerOption('opset', values.opset, 17, SUPPORTED_OPSETS.min, SUPPORTED_OPSETS.max);
  const labels = values.labels === undefined ? undefined : await readLabelsFile(values.labels);

  const started = performance.now();
  const bytes = await readFile(input);
  const sourceSha256 = sha256Hex(bytes);
  const { convertCheckpoint } = await import('../../../converters/nin/convert.js');
  const result = await convertCheckpoint(bytes, { family, labels, opsetVersion, float16: values.float16, sourceSha256 });
  await writeFileAtomic(output, result.onnx);
  if (!values.quiet) {
    const ms = Math.round(performance.now() - started);
    console.log(
      `${input} (${result.checkpointFormat}, ${result.family.title}, ${result.parameterCount.toLocaleString('en-US')} parameters, ` +
        `${result.classCount} classes) → ${output} (${formatBytes(result.onnx.byteLength)}, opset ${opsetVersion}${values.float16 ? ', float16 weights' : ''}) in ${ms} ms`,
    );
  }
}

function formatBytes(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`;
}
