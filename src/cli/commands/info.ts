import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { describeArchitectureSummary } from '../../model/architecture-summary.js';
import { checkModel } from '../../model/checked-model.js';
import { readModelInfo } from '../../model/model-info.js';
import { checkClassifierShapes } from '../../model/check-shapes.js';
import { createSession } from '../../runtime/open-session.js';
import { OnnxRuntimeError, ortErrorLine } from '../../runtime/ort-error.js';
import { summarizeWeights } from '../../model/weight-summary.js';
import { defaultModelPath } from '../../node/default-model.js';
import { MODEL_DTYPES } from '../../model/dtype.js';
import { embeddedModelDtype } from '../../runtime/default-dtype.js';
import { ModelError } from '../../model/model-error.js';
import { readRegularFile } from '../../node/read-regular-file.js';
import type { CalibrationRecord } from '../../quantize/metadata.js';
import { choiceOption, parseCommandLine } from '../args.js';
import { UsageError } from '../errors.js';
import { formatCount } from '../format-count.js';
import { terminalSafe } from '../terminal-text.js';

export const INFO_HELP = `Usage: nin-sdk info [model.onnx] [--dtype fp32|int8] [--json]

Describes a model written by nin-convert (default: the embedded one that predict runs on the CPU, int8): family,
the architecture it was built from and what its conversion assumed, labels, preprocessing, inputs and outputs,
opset, provenance, and precision (fp32 or int8, with how an int8 model was calibrated).

Options:
  --dtype <fp32|int8>      which embedded model (default int8, as predict on the CPU); with a model file, the
                           model must be of this precision
  --json                   print one JSON document
  -h, --help               show this help`;

export async function runInfo(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(() =>
    parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        dtype: { type: 'string' },
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
  // One decoding for everything below: the metadata, the weights' summary and ONNX Runtime's session.
  const model = checkModel(bytes, path);
  const info = readModelInfo(model);
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
    `preprocessing: ${p.channels === 1 ? "grey (PIL's convert('L')), " : ''}shorter side → ${p.resizeShorterSide} (bilinear), ` +
      `centre crop ${p.inputSize}×${p.inputSize}, ${p.channels === 1 ? '1 channel' : p.channelOrder}, ` +
      `× ${formatNumber(p.scale)}, − mean [${p.mean.join(', ')}], ÷ std [${p.std.join(', ')}]`,
    `weights:       ${weights.map((w) => `${w.dtype} (${formatCount(w.values)} values)`).join(', ')}` +
      (weights.some((w) => w.dtype === 'float16') ? ', computed in float32' : ''),
    ...inputs.map((v) => `input:         ${formatValue(v)}`),
    ...outputs.map((v) => `output:        ${formatValue(v)}`),
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
