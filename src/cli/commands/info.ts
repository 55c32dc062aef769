import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import {
  describeArchitectureSummary,
  checkModel,
  type ClassMapsInGraph,
  withClassMaps,
  readCheckedModelInfo,
  checkClassifierShapes,
  summarizeWeights,
  MODEL_DTYPES,
  ModelError,
  type CalibrationRecord,
} from '../../model/index.js';
import { createSession, OnnxRuntimeError, ortErrorLine, embeddedModelDtype } from '../../runtime/index.js';
import { defaultModelPath } from '../../node/index.js';
import { readRegularFile } from '../../io/index.js';
import { choiceOption, parseCommandLine } from '../args.js';
import { UsageError } from '../errors.js';
import { formatCount } from '../format-count.js';
import { terminalSafe } from '../terminal-text.js';
import { readArchitecture } from '../reading-options.js';
import { readCheckpointModel, readingLines } from '../../convert/index.js';
import { isTrainingCheckpoint, namingSource } from '../../train/internal.js';
import type { PreprocessSpec } from '../../preprocess/index.js';

export const INFO_HELP = `Usage: nin-sdk info [model.onnx | checkpoint.pth] [--dtype fp32|int8] [--json]

Describes a model written by nin-convert (default: the embedded one that predict runs on the CPU, int8): family,
the architecture it was built from and what its conversion assumed, labels, preprocessing, inputs and outputs,
opset, provenance, and precision (fp32 or int8, with how an int8 model was calibrated).
Given a PyTorch checkpoint, says what nin-convert would make of it, read by the same rules: the architecture,
where the weights were taken from, what was ignored, every assumption, the labels and the preprocessing.

Options:
  --dtype <fp32|int8>      which embedded model (default int8, as predict on the CPU); with a model file, the
                           model must be of this precision
  --arch <id|file.json>    a checkpoint: take this architecture, as nin-convert --arch
  --key <path>             a checkpoint: which dict of tensors, as nin-convert --key
  --json                   print one JSON document
  -h, --help               show this help`;

export async function runInfo(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(() =>
    parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        dtype: { type: 'string' },
        arch: { type: 'string' },
        key: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }),
  );
  if (values.help) {
    console.log(INFO_HELP);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`info takes one model, got ${positionals.length}`);
  const dtype = choiceOption('dtype', values.dtype, MODEL_DTYPES);
  // The embedded model that predict runs when nothing is said: the CPU's.
  const path = positionals[0] ?? defaultModelPath(embeddedModelDtype(dtype, ['cpu']));
  const bytes = await readRegularFile(path);
  if (isPytorchCheckpoint(bytes)) {
    if (dtype !== undefined) throw new UsageError('--dtype applies to ONNX models; a PyTorch checkpoint is float');
    return describeCheckpoint(path, bytes, values.arch, values.key, values.json);
  }
  if (values.arch !== undefined || values.key !== undefined)
    throw new UsageError('--arch and --key apply to PyTorch checkpoints; an ONNX model records what it is');
  // One decoding for everything below: the metadata, the weights' summary and ONNX Runtime's session.
  const checked = checkModel(bytes, path);
  // As classify loads it: a model converted before class maps existed gets them in memory (the file stays as it is).
  const model = withClassMaps(checked);
  const info = readCheckedModelInfo(model);
  if (dtype !== undefined && info.dtype !== dtype)
    throw new ModelError(`${path} is an ${info.dtype} model, not ${dtype}`);
  const weights = summarizeWeights(model.proto);
  const session = await createSession(ort, model).catch((error: unknown) => {
    throw new OnnxRuntimeError(`ONNX Runtime cannot load ${path}: ${ortErrorLine(error)}`, { cause: error });
  });
  const describe = (names: readonly string[], metadata: readonly ort.InferenceSession.ValueMetadata[]) =>
    names.map((name, i) => {
      const m = metadata[i];
      return m !== undefined && m.isTensor ? { name, type: m.type, shape: m.shape } : { name };
    });
  const outputName = session.outputNames.includes(info.outputs.probabilities)
    ? info.outputs.probabilities
    : info.outputs.logits;
  try {
    checkClassifierShapes(info, session, outputName, path);
  } catch (error) {
    await session.release();
    throw error;
  }
  const inputs = describe(session.inputNames, session.inputMetadata);
  const outputs = describe(session.outputNames, session.outputMetadata);
  await session.release();

  if (values.json) {
    console.log(JSON.stringify({ path, bytes: bytes.byteLength, ...info, weights, inputs, outputs }, null, 2));
    return 0;
  }
  const p = info.preprocessing;
  const shown =
    info.labels.slice(0, 10).join(', ') + (info.labels.length > 10 ? `, … (${info.labels.length} in all)` : '');
  const lines = [
    `model:         ${path} (${(bytes.byteLength / 1e6).toFixed(1)} MB)`,
    `family:        ${info.family}`,
    ...(info.architectureSummary === undefined
      ? []
      : [`architecture:  ${describeArchitectureSummary(info.architectureSummary)}`]),
    // Said as loudly as nin-convert said it: this model's computation was taken as given, not read from the weights.
    ...(info.assumptions ?? []).map((assumption) => `assumed:       ${assumption}`),
    `labels:        ${shown}`,
    `preprocessing: ${describePreprocessing(p)}`,
    `weights:       ${weights.map((w) => `${w.dtype} (${formatCount(w.values)} values)`).join(', ')}` +
      (weights.some((w) => w.dtype === 'float16') ? ', computed in float32' : ''),
    ...inputs.map((v) => `input:         ${formatValue(v)}`),
    ...outputs.map((v) => `output:        ${formatValue(v)}`),
    ...(info.classMaps === undefined ? [] : [`class maps:    ${describeClassMaps(info.classMaps, model !== checked)}`]),
    `opset:         ${info.opsetVersion} (IR ${info.irVersion}), producer ${info.producer || 'unknown'}`,
  ];
  const sourceKind = info.sourceFormat === 'onnx' ? 'ONNX file' : `${info.sourceFormat ?? 'unknown'} checkpoint`;
  if (info.sourceSha256) lines.push(`source:        ${sourceKind}, SHA-256 ${info.sourceSha256}`);
  // Where in the checkpoint the weights were, and what it held beside them, as nin-convert said it.
  if (info.sourceEntry !== undefined) lines.push(`taken from:    ${info.sourceEntry}`);
  if (info.ignored !== undefined) lines.push(`ignored:       ${info.ignored.join(', ')}`);
  lines.push(
    `dtype:         ${info.dtype}${info.dtype === 'int8' ? ' (static QDQ: uint8 activations, int8 per-channel weights)' : ''}`,
  );
  if (info.calibration !== undefined) lines.push(`calibration:   ${describeCalibration(info.calibration)}`);
  // Every field but the numbers comes from the file: labels, family, producer may hold terminal escape sequences.
  console.log(lines.map(terminalSafe).join('\n'));
  return 0;
}

/** Zip (not nin-sdk train's checkpoint.nintrain) or torch's legacy pickle stream; ONNX starts with 0x08. */
function isPytorchCheckpoint(bytes: Uint8Array): boolean {
  return bytes[0] === 0x80 || (bytes[0] === 0x50 && !isTrainingCheckpoint(bytes));
}

/** What nin-convert would make of a checkpoint: readCheckpointModel's answer, its lines as nin-convert prints them. */
async function describeCheckpoint(
  path: string,
  bytes: Uint8Array,
  arch: string | undefined,
  key: string | undefined,
  json: boolean,
): Promise<number> {
  const architecture = arch === undefined ? undefined : await readArchitecture(arch);
  // Refusals name the file, their remedy in this command's words (--arch), as train --from's do.
  const reading = namingSource(path, () =>
    readCheckpointModel(bytes, {
      fileName: path,
      ...(architecture === undefined ? {} : { architecture }),
      ...(key === undefined ? {} : { key }),
    }),
  );
  const { classCount, parameterCount } = reading.match;
  const taken = reading.match.architecture;
  if (json) {
    const { placeholders: ignored, assumptions, labels, preprocessing } = reading;
    const format = reading.checkpoint.format;
    const record = { path, bytes: bytes.byteLength, format, architecture: taken.id, title: taken.title };
    const counts = { classCount, parameterCount };
    console.log(
      JSON.stringify(
        { ...record, ...counts, taken: reading.taken, ignored, assumptions, labels, preprocessing },
        null,
        2,
      ),
    );
    return 0;
  }
  const p = reading.preprocessing;
  const shown =
    reading.labels.slice(0, 10).join(', ') +
    (reading.labels.length > 10 ? `, … (${reading.labels.length} in all)` : '');
  const lines = [
    `checkpoint:    ${path} (${(bytes.byteLength / 1e6).toFixed(1)} MB, ${reading.checkpoint.format})`,
    `architecture:  ${taken.id} (${taken.title}), ${formatCount(parameterCount)} parameters, ${classCount} classes`,
    // nin-convert's lines, in its order and words: the same reading.
    ...readingLines(reading),
    `labels:        ${shown}`,
    `preprocessing: ${describePreprocessing(p)}`,
  ];
  console.log(lines.map(terminalSafe).join('\n'));
  return 0;
}

function describePreprocessing(p: PreprocessSpec): string {
  return (
    `${p.channels === 1 ? "grey (PIL's convert('L')), " : ''}shorter side → ${p.resizeShorterSide} (bilinear), ` +
    `centre crop ${p.inputSize}×${p.inputSize}, ${p.channels === 1 ? '1 channel' : p.channelOrder}, ` +
    `× ${formatNumber(p.scale)}, − mean [${p.mean.join(', ')}], ÷ std [${p.std.join(', ')}]`
  );
}

function formatValue(value: { name: string; type?: string; shape?: readonly (number | string)[] }): string {
  return value.type === undefined ? value.name : `${value.name} ${value.type}[${(value.shape ?? []).join(', ')}]`;
}

/** `nin.calibration` in words when it is the record nin-sdk quantize writes, else as it is. */
function describeCalibration(text: string): string {
  try {
    const record = JSON.parse(text) as Partial<CalibrationRecord>;
    if (typeof record.method === 'string' && typeof record.images === 'number' && typeof record.dataset === 'string') {
      return `${record.method === 'minmax' ? 'min/max' : record.method} over ${record.images} images of ${record.dataset} (seed ${record.seed ?? '?'})`;
    }
  } catch {
    // Not JSON: shown as written.
  }
  return text;
}

function formatNumber(value: number): string {
  return Math.abs(value - 1 / 255) < 1e-12 ? '1/255' : String(value);
}

/** The class maps' grid in input pixels, and whether loading added them (nin-sdk explain draws them). */
function describeClassMaps(maps: ClassMapsInGraph, addedAtLoad: boolean): string {
  const { stride, receptiveField } = maps.geometry;
  return (
    `${maps.classes} maps of ${maps.size[0]}×${maps.size[1]} cells, ${stride[0]}×${stride[1]} px apart, each seeing ` +
    `${receptiveField[0]}×${receptiveField[1]} px${addedAtLoad ? ' (added at load, not in the file)' : ''}`
  );
}
