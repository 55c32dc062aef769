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
import type { PreprocessSpec } from '../../preprocess/spec.js';
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
  --preprocessing <p>       for an ONNX input: cifar10, imagenet or a JSON file of a preprocessing spec
  -q, --quiet               print nothing on success
  -h, --help                show this help
  -v, --version             show the version

An ONNX image classifier from elsewhere (torch.onnx.export of a NIN) is adopted instead of converted: given
--preprocessing (and --labels, default the preset's), the same graph is written with nin-sdk's metadata and a
probabilities output, so that predict, eval and the browser page take it.

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
        preprocessing: { type: 'string' },
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
  if (isOnnx(input, bytes)) {
    if (values.family !== undefined || values.float16 || values.opset !== undefined) {
      throw new UsageError('--family, --opset and --float16 apply to PyTorch checkpoints; an ONNX input keeps its graph');
    }
    const preset = values.preprocessing;
    if (preset === undefined) throw new UsageError('an ONNX input needs --preprocessing cifar10|imagenet|<spec.json>: how its images were prepared');
    const { adoptOnnxClassifier } = await import('../../../converters/onnx/adopt.js');
    const { preprocessing, defaultLabels } = await readPreprocessing(preset);
    const classLabels = labels ?? defaultLabels;
    if (classLabels === undefined) throw new UsageError('an ONNX input with a preprocessing spec file needs --labels');
    const { ArchitectureError, describeRemedy } = await import('../../../converters/nin/errors.js');
    let adopted;
    try {
      adopted = adoptOnnxClassifier(bytes, { labels: classLabels, preprocessing, family: preset in PRESETS ? preset : 'onnx', sourceSha256 });
    } catch (error) {
      if (!(error instanceof ArchitectureError) || error.remedy === undefined) throw error;
      throw Object.assign(new Error(`${input}: ${error.detail}${describeRemedy(error.remedy, 'cli')}`), { name: 'ArchitectureError' });
    }
    await writeFileAtomic(output, adopted.onnx);
    if (!values.quiet) {
      console.log(
        `${input} (ONNX from ${adopted.producer}, ${adopted.classCount} classes, input ${preprocessing.inputSize}×${preprocessing.inputSize}) → ${output} ` +
          `(${formatBytes(adopted.onnx.byteLength)}, ${adopted.endsInSoftmax ? 'its softmax as probabilities' : 'softmax appended'}) in ${Math.round(performance.now() - started)} ms`,
      );
    }
    return;
  }
  if (values.preprocessing !== undefined) throw new UsageError('--preprocessing applies to ONNX inputs; a checkpoint gets its family\'s');
  const { convertCheckpoint } = await import('../../../converters/nin/convert.js');
  const { ArchitectureError, describeRemedy } = await import('../../../converters/nin/errors.js');
  // The converter words its remedies for the API (options); nin-convert's users have flags.
  const withCliRemedy = (error: unknown): unknown =>
    error instanceof ArchitectureError && error.remedy !== undefined
      ? Object.assign(new Error(error.detail + describeRemedy(error.remedy, 'cli')), { name: 'ArchitectureError' })
      : error;
  const result = await convertCheckpoint(bytes, { family, labels, opsetVersion, float16: values.float16, sourceSha256 }).catch((error: unknown) => {
    throw withCliRemedy(error);
  });
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

const PRESETS = { cifar10: 'cifar10', imagenet: 'imagenet' } as const;

/** An ONNX file by name or by its first byte: ModelProto's field 1 (ir_version, a varint) is tag 0x08. */
function isOnnx(path: string, bytes: Uint8Array): boolean {
  return path.toLowerCase().endsWith('.onnx') || bytes[0] === 0x08;
}

/** --preprocessing: a family's preset (with its labels) or a JSON spec file. */
async function readPreprocessing(value: string): Promise<{ preprocessing: PreprocessSpec; defaultLabels?: readonly string[] }> {
  if (value === 'cifar10' || value === 'imagenet') {
    const { FAMILIES } = await import('../../../converters/nin/families.js');
    return { preprocessing: FAMILIES[value].preprocessing, defaultLabels: FAMILIES[value].labels };
  }
  let spec: unknown;
  try {
    spec = JSON.parse(await readFile(value, 'utf8'));
  } catch (error) {
    if (error instanceof SyntaxError) throw new UsageError(`--preprocessing ${value}: not valid JSON`);
    throw new UsageError(`--preprocessing should be cifar10, imagenet or a JSON spec file, got '${value}'`);
  }
  const { checkPreprocessSpec } = await import('../../preprocess/check-spec.js');
  try {
    checkPreprocessSpec(spec as PreprocessSpec);
  } catch (error) {
    throw new UsageError(`--preprocessing ${value}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { preprocessing: spec as PreprocessSpec };
}
