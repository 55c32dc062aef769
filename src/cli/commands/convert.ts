import { parseArgs } from 'node:util';
import {
  ARCHITECTURES,
  architectureById,
  convertCheckpoint,
  describeUnreadSettings,
  FAMILY_IDS,
  parseArchitectureJson,
  SUPPORTED_OPSETS,
  type Architecture,
  type ConversionResult,
} from '../../../converters/nin/index.js';
import { DEFAULT_OPSET_VERSION } from '../../graph/opset.js';
import { NIN_SDK_VERSION } from '../../version.js';
import { choiceOption, integerOption, parseCommandLine } from '../args.js';
import { UsageError } from '../errors.js';
import { readLabelsFile } from '../labels-file.js';
import { readRegularFile } from '../../node/read-regular-file.js';
import { sha256Hex } from '../../node/sha256.js';
import { writeFileAtomic } from '../../node/write-atomic.js';

export const CONVERT_HELP = `Usage: nin-convert <checkpoint.pth> <out.onnx> [options]

Converts a PyTorch Network-in-Network checkpoint to ONNX: pytorch-nin-cifar10, pytorch-nin (ImageNet), pytorchcv
nin_cifar10/100/svhn, d2l, rasbt's BatchNorm NiN and more (--list-architectures), any width, in every format PyTorch has written (zip, legacy, torch <= 0.3), bare state_dicts or wrapped
({'state_dict': ...}, {'model': ...}, DataParallel 'module.' prefixes). Nothing in the file is executed.

Options:
  --family <${FAMILY_IDS.join('|')}>  treat the checkpoint as this family instead of recognising it
                            (renamed keys are then matched to the layers in order)
  --arch <id|file.json>     take this architecture instead of recognising it: a registry id, or your own
                            network as JSON (see docs/architectures.md); what it assumes is printed on stderr
  --list-architectures      print the known architectures and how each is recognised, then exit
  --labels <file>           class names, one per line (default: the family's CIFAR-10 / ImageNet names)
  --opset <n>               ONNX opset, ${SUPPORTED_OPSETS.min} to ${SUPPORTED_OPSETS.max} (default ${DEFAULT_OPSET_VERSION}: onnxruntime-node and -web 1.30 load it)
  --float16                 store weights as float16: half the file, still computes in float32
  --int8                    quantize to static int8 (QDQ), as nin-sdk quantize does; needs --calibrate
  --calibrate <dataset>     a folder or tar of <class>/<image> images (the training split) to calibrate on
  --images <n>              calibration images, sampled uniformly (default 1000)
  -q, --quiet               print nothing on success
  -h, --help                show this help
  -v, --version             show the version

The output is written whole or not at all. Exit codes: 0 ok, 1 bad input, 2 bad usage.`;

export const INT8_NEEDS_CALIBRATION = '--int8 needs --calibrate <folder or tar>: images to measure the activation ranges on';

/** `nin-convert` and `nin-sdk convert`. */
export async function runConvert(argv: readonly string[]): Promise<void> {
  const { values, positionals } = parseCommandLine(() =>
    parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        family: { type: 'string' },
        arch: { type: 'string' },
        'list-architectures': { type: 'boolean', default: false },
        labels: { type: 'string' },
        opset: { type: 'string' },
        float16: { type: 'boolean', default: false },
        int8: { type: 'boolean', default: false },
        calibrate: { type: 'string' },
        images: { type: 'string' },
        quiet: { type: 'boolean', short: 'q', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    }),
  );
  if (values.help) return void console.log(CONVERT_HELP);
  if (values.version) return void console.log(NIN_SDK_VERSION);
  if (values['list-architectures']) return void console.log(listArchitectures());
  if (positionals.length !== 2) {
    throw new UsageError(`expected a checkpoint and an output path, got ${positionals.length} argument${positionals.length === 1 ? '' : 's'}`);
  }
  const [input, output] = positionals as [string, string];
  const family = choiceOption('family', values.family, FAMILY_IDS);
  const opsetVersion = integerOption('opset', values.opset, DEFAULT_OPSET_VERSION, SUPPORTED_OPSETS.min, SUPPORTED_OPSETS.max);
  if (family !== undefined && values.arch !== undefined) throw new UsageError('give --family or --arch, not both');
  const labels = values.labels === undefined ? undefined : await readLabelsFile(values.labels);
  const architecture = values.arch === undefined ? undefined : await readArchitecture(values.arch);
  if (values.int8 && values.calibrate === undefined) throw new UsageError(INT8_NEEDS_CALIBRATION);
  if (!values.int8 && (values.calibrate !== undefined || values.images !== undefined)) throw new UsageError('--calibrate and --images apply only with --int8');
  if (values.int8 && values.float16) throw new UsageError('--int8 and --float16 cannot be combined');
  const calibrationImages = integerOption('images', values.images, 1000, 1, 100_000);

  const started = performance.now();
  const bytes = await readRegularFile(input);
  const sourceSha256 = sha256Hex(bytes);
  const result = await convertCheckpoint(bytes, {
    family, labels, opsetVersion, float16: values.float16, sourceSha256, fileName: input, ...(architecture === undefined ? {} : { architecture }),
  });
  if (values.int8) {
    // Loaded only here: quantizing needs ONNX Runtime and sharp, which a plain conversion should not pay for.
    const { quantizeWithProgress, describeQuantized } = await import('./quantize.js');
    const quantized = await quantizeWithProgress(result.onnx, output, values.calibrate!, calibrationImages, 0, undefined);
    await writeFileAtomic(output, quantized.onnx);
    reportAssumptions(result);
    if (!values.quiet) console.log(describeQuantized(input, output, bytes.byteLength, quantized, performance.now() - started));
    return;
  }
  await writeFileAtomic(output, result.onnxParts);
  reportAssumptions(result);
  if (!values.quiet) {
    const ms = Math.round(performance.now() - started);
    console.log(
      `${input} (${result.checkpointFormat}, ${result.family.title}, ${result.parameterCount.toLocaleString('en-US')} parameters, ` +
        `${result.classCount} classes) → ${output} (${formatBytes(result.onnxByteLength)}, opset ${opsetVersion}${values.float16 ? ', float16 weights' : ''}) in ${ms} ms`,
    );
  }
}

/** `--arch`: a registry id, else a JSON file in the registry's vocabulary. */
async function readArchitecture(value: string): Promise<Architecture> {
  const known = architectureById(value);
  if (known !== undefined) return known;
  if (!value.endsWith('.json')) {
    throw new UsageError(`--arch should be one of ${ARCHITECTURES.map((a) => a.id).join(', ')} or a .json file, got '${value}'`);
  }
  return parseArchitectureJson(new TextDecoder().decode(await readRegularFile(value)), value);
}

function listArchitectures(): string {
  return ARCHITECTURES.map((a) =>
    [
      `${a.id}  ${a.title}`,
      `    from ${a.source}`,
      `    recognised by keys ${a.layers.find((l) => l.kind === 'conv')?.name ?? ''}.weight …, ${a.labels.length} labels`,
      `    not in the weights: ${describeUnreadSettings(a)}`,
      ...(a.notes === undefined ? [] : [`    note: ${a.notes}`]),
    ].join('\n'),
  ).join('\n');
}

function formatBytes(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`;
}

/** Said even with --quiet: a model computed on assumptions must not look like one read from the file. */
function reportAssumptions(result: ConversionResult): void {
  for (const assumption of result.assumptions) console.error(`nin-convert: assumed: ${assumption}`);
  if (result.placeholders.length > 0) {
    console.error(`nin-convert: kept as inert placeholders, never constructed: ${result.placeholders.join(', ')}`);
  }
}
