import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
// The converter proper (pickle, zip, graph, protobuf) loads when a conversion runs (../converter-modules.ts), so
// --help and usage errors answer at once.
import { type ConversionResult, SUPPORTED_OPSETS } from '../../convert/index.js';
import { ARCHITECTURES, describeUnreadSettings, PYTORCH_NIN_IDS } from '../../architectures/index.js';
import { DEFAULT_OPSET_VERSION } from '../../graph/index.js';
import { NIN_SDK_VERSION } from '../../version.js';
import { choiceOption, integerOption, parseCommandLine } from '../args.js';
import { UsageError } from '../errors.js';
import { formatCount } from '../format-count.js';
import { readLabelsFile } from '../labels-file.js';
import { PRESETS } from '../reading-options.js';
import { readRegularFile, writeFileAtomic } from '../../io/index.js';

export const CONVERT_HELP = `Usage: nin-convert <checkpoint.pth> <out.onnx> [options]

Converts a PyTorch Network-in-Network checkpoint to ONNX: pytorch-nin-cifar10, pytorch-nin (ImageNet), pytorchcv
nin_cifar10/100/svhn, d2l, rasbt's BatchNorm NiN, RotNet and more (--list-architectures), any width, in every
format PyTorch has written (zip, legacy, torch <= 0.3), the state_dict wherever the file keeps it (bare, under any
key, nested, a whole pickled nn.Module; DataParallel 'module.' prefixes), renamed keys whose shapes fit. Nothing in
the file is executed: optimizers, losses and other objects beside the weights are kept inert and listed. Whatever
the file cannot tell (activation, pooling, preprocessing, labels) is printed on stderr, one line per kind with the
option that overrides it, and recorded in the ONNX metadata.

Options:
  --family <${PYTORCH_NIN_IDS.join('|')}>  the same as --arch with that registry id (pytorch-nin-cifar10 or
                            pytorch-nin), said as given by --family; renamed keys are matched in layer order
  --arch <id|file.json>     take this architecture instead of recognising it: a registry id, or your own
                            network as JSON (see docs/architectures.md); what it assumes is printed on stderr
  --key <path>              which dict of tensors in the checkpoint to convert when several fit, as a refusal
                            names it (network, models.0, . for the root)
  --print-arch              print the architecture JSON the conversion uses (layers, preprocessing, labels) on
                            stdout, to edit and pass back with --arch; the output path is then optional
  --list-architectures      print the known architectures and how each is recognised, then exit
  --labels <file>           class names, one per line (default: the architecture's, e.g. CIFAR-10, ImageNet)
  --opset <n>               ONNX opset, ${SUPPORTED_OPSETS.min} to ${SUPPORTED_OPSETS.max} (default ${DEFAULT_OPSET_VERSION}: onnxruntime-node and -web 1.30 load it)
  --float16                 store weights as float16: half the file, still computes in float32
  --int8                    quantize to static int8 (QDQ), as nin-sdk quantize does; needs --calibrate
  --calibrate <dataset>     a folder or tar of <class>/<image> images (the training split) to calibrate on
  --images <n>              with --int8: calibration images, sampled uniformly (default 1000)
  --preprocessing <p>       cifar10, imagenet or a JSON file of a preprocessing spec: recorded instead of the
                            architecture's (a checkpoint does not say how its images were prepared)
  -q, --quiet               print nothing on success but, on stderr, where the weights were taken from,
                            what was ignored and what was assumed
  -h, --help                show this help
  -v, --version             show the version

An ONNX image classifier from elsewhere (torch.onnx.export of a NIN) is adopted instead of converted: given
--preprocessing (and --labels, default the preset's), the same graph is written with nin-sdk's metadata and a
probabilities output, so that predict, eval and the browser page take it.

The output is written whole or not at all. Exit codes: 0 ok, 1 bad input, 2 bad usage.`;

export const INT8_NEEDS_CALIBRATION =
  '--int8 needs --calibrate <folder or tar>: images to measure the activation ranges on';

/** `nin-convert` and `nin-sdk convert`. */
export async function runConvert(argv: readonly string[]): Promise<number | void> {
  const { values, positionals } = parseCommandLine(() =>
    parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        family: { type: 'string' },
        arch: { type: 'string' },
        key: { type: 'string' },
        'print-arch': { type: 'boolean', default: false },
        'list-architectures': { type: 'boolean', default: false },
        labels: { type: 'string' },
        opset: { type: 'string' },
        float16: { type: 'boolean', default: false },
        int8: { type: 'boolean', default: false },
        calibrate: { type: 'string' },
        images: { type: 'string' },
        preprocessing: { type: 'string' },
        quiet: { type: 'boolean', short: 'q', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    }),
  );
  if (values.help) return void console.log(CONVERT_HELP);
  if (values.version) return void console.log(NIN_SDK_VERSION);
  if (values['list-architectures']) return void console.log(listArchitectures());
  // A bare command is a usage mistake, answered as nin-sdk's is: the help on stderr, exit 2.
  if (argv.length === 0) {
    console.error(CONVERT_HELP);
    return 2;
  }
  const printArch = values['print-arch'];
  if (positionals.length !== 2 && !(printArch && positionals.length === 1)) {
    throw new UsageError(
      `expected a checkpoint and an output path, got ${positionals.length} argument${positionals.length === 1 ? '' : 's'}`,
    );
  }
  const [input, output] = positionals as [string, string | undefined];
  const family = choiceOption('family', values.family, PYTORCH_NIN_IDS);
  const opsetVersion = integerOption(
    'opset',
    values.opset,
    DEFAULT_OPSET_VERSION,
    SUPPORTED_OPSETS.min,
    SUPPORTED_OPSETS.max,
  );
  if (family !== undefined && values.arch !== undefined) throw new UsageError('give --family or --arch, not both');
  const labels = values.labels === undefined ? undefined : await readLabelsFile(values.labels);
  // Read by the converter's own modules: it knows its registry entries by identity (../converter-modules.ts).
  const architecture =
    values.arch === undefined ? undefined : await (await loadConverter()).readArchitecture(values.arch);
  if (values.int8 && values.calibrate === undefined) throw new UsageError(INT8_NEEDS_CALIBRATION);
  if (!values.int8 && (values.calibrate !== undefined || values.images !== undefined))
    throw new UsageError('--calibrate and --images apply only with --int8');
  if (values.int8 && values.float16) throw new UsageError('--int8 and --float16 cannot be combined');
  const calibrationImages = integerOption('images', values.images, 1000, 1, 100_000);

  const started = performance.now();
  // The converter's modules load while the file is read (on the thread pool); an ONNX input by name needs none.
  const converterModules = input.toLowerCase().endsWith('.onnx') ? undefined : loadConverter();
  // Unused if the file turns out to be ONNX: a failure to load must then not surface as an unhandled rejection.
  converterModules?.catch(() => undefined);
  // Hashed piece by piece as it is read, so that the SHA-256 costs no time of its own.
  const hash = createHash('sha256');
  const bytes = await readRegularFile(input, { onBytes: (piece) => hash.update(piece) });
  const sourceSha256 = hash.digest('hex');
  if (isOnnx(input, bytes)) {
    if (
      values.family !== undefined ||
      values.arch !== undefined ||
      values.key !== undefined ||
      printArch ||
      values.float16 ||
      values.int8 ||
      values.opset !== undefined
    ) {
      throw new UsageError(
        '--family, --arch, --key, --print-arch, --opset, --float16 and --int8 apply to PyTorch checkpoints; an ONNX input keeps its graph',
      );
    }
    const preset = values.preprocessing;
    if (preset === undefined)
      throw new UsageError(
        'an ONNX input needs --preprocessing cifar10|imagenet|<spec.json>: how its images were prepared',
      );
    const { adoptOnnxClassifier, ArchitectureError, describeRemedy } = await loadConverter();
    const { preprocessing, defaultLabels } = await (await loadConverter()).readPreprocessing(preset);
    const classLabels = labels ?? defaultLabels;
    if (classLabels === undefined) throw new UsageError('an ONNX input with a preprocessing spec file needs --labels');
    let adopted;
    try {
      adopted = adoptOnnxClassifier(bytes, {
        labels: classLabels,
        preprocessing,
        family: preset in PRESETS ? preset : 'onnx',
        sourceSha256,
      });
    } catch (error) {
      if (!(error instanceof ArchitectureError) || error.remedy === undefined) throw error;
      throw Object.assign(new Error(`${input}: ${error.detail}${describeRemedy(error.remedy, 'cli')}`), {
        name: 'ArchitectureError',
      });
    }
    if (output === undefined) throw new UsageError('expected an output path');
    await writeFileAtomic(output, adopted.onnx);
    if (!values.quiet) {
      console.log(
        `${input} (ONNX from ${adopted.producer}, ${adopted.classCount} classes, input ${preprocessing.inputSize}×${preprocessing.inputSize}) → ${output} ` +
          `(${formatBytes(adopted.onnx.byteLength)}, ${adopted.endsInSoftmax ? 'its softmax as probabilities' : 'softmax appended'}) in ${Math.round(performance.now() - started)} ms`,
      );
    }
    return;
  }
  const preprocessing =
    values.preprocessing === undefined
      ? undefined
      : (await (await loadConverter()).readPreprocessing(values.preprocessing)).preprocessing;
  const { convertCheckpoint, ArchitectureError, describeRemedy } = await (converterModules ?? loadConverter());
  // The converter words its remedies for the API (options); nin-convert's users have flags.
  const withCliRemedy = (error: unknown): unknown =>
    error instanceof ArchitectureError && error.remedy !== undefined
      ? Object.assign(new Error(error.detail + describeRemedy(error.remedy, 'cli')), { name: 'ArchitectureError' })
      : error;
  const result = await convertCheckpoint(bytes, {
    family,
    labels,
    opsetVersion,
    float16: values.float16,
    sourceSha256,
    fileName: input,
    ...(architecture === undefined ? {} : { architecture }),
    ...(values.key === undefined ? {} : { key: values.key }),
    ...(preprocessing === undefined ? {} : { preprocessing }),
  }).catch((error: unknown) => {
    throw withCliRemedy(error);
  });
  if (printArch) {
    const { usedArchitectureJson } = await loadConverter();
    console.log(JSON.stringify(usedArchitectureJson(result), null, 2));
  }
  if (output === undefined) return void reportAssumptions(result);
  if (values.int8) {
    // Loaded only here: quantizing needs ONNX Runtime and sharp, which a plain conversion should not pay for.
    const { quantizeWithProgress, describeQuantized } = await import('./quantize.js');
    const quantized = await quantizeWithProgress(
      result.onnx,
      output,
      values.calibrate!,
      calibrationImages,
      0,
      undefined,
    );
    await writeFileAtomic(output, quantized.onnx);
    reportAssumptions(result);
    if (!values.quiet)
      console.log(describeQuantized(input, output, bytes.byteLength, quantized, performance.now() - started));
    return;
  }
  await writeFileAtomic(output, result.onnxParts);
  reportAssumptions(result);
  if (!values.quiet) {
    const ms = Math.round(performance.now() - started);
    console.log(
      `${input} (${result.checkpointFormat}, ${result.family.title}, ${formatCount(result.parameterCount)} parameters, ` +
        `${result.classCount} classes) → ${output} (${formatBytes(result.onnxByteLength)}, opset ${opsetVersion}${values.float16 ? ', float16 weights' : ''}) in ${ms} ms`,
    );
  }
}

/** The converter proper (pickle, zip, graph, ONNX writer) and its errors: this command's one lazy module. */
function loadConverter(): Promise<typeof import('../converter-modules.js')> {
  return import('../converter-modules.js');
}

function listArchitectures(): string {
  return ARCHITECTURES.map((a) =>
    [
      `${a.id}  ${a.title}`,
      `    from ${a.source}`,
      `    recognised by keys ${a.layers.find((l) => l.kind === 'conv')?.name ?? ''}.weight …, ${a.labels.length} labels`,
      `    not in the weights: ${describeUnreadSettings(a)}`,
      ...(a.notes === undefined ? [] : [`    note: ${a.notes}`]),
      ...(a.assumes ?? []).map((assumption) => `    assumed on every conversion: ${assumption}`),
    ].join('\n'),
  ).join('\n');
}

function formatBytes(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`;
}

/**
 * Said even with --quiet: a model computed on assumptions must not look like one read from the file. First where the
 * weights came from, then what the file held beside them (kept inert, never run), then each assumption.
 */
function reportAssumptions(result: ConversionResult): void {
  for (const line of result.lines) console.error(`nin-convert: ${line}`);
}

/** An ONNX file by name or by its first byte: ModelProto's field 1 (ir_version, a varint) is tag 0x08. */
function isOnnx(path: string, bytes: Uint8Array): boolean {
  return path.toLowerCase().endsWith('.onnx') || bytes[0] === 0x08;
}
