import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { readModelInfo } from '../../model/model-info.js';
import { summarizeWeights } from '../../model/weight-summary.js';
import { defaultModelPath } from '../../node/default-model.js';
import { parseCommandLine } from '../args.js';
import { UsageError } from '../errors.js';

export const INFO_HELP = `Usage: nin-sdk info [model.onnx] [--json]

Describes a model written by nin-convert (default: the embedded one): family, labels, preprocessing, inputs
and outputs, opset and provenance.`;

export async function runInfo(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(() =>
    parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
    }),
  );
  if (values.help) {
    console.log(INFO_HELP);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`info takes one model, got ${positionals.length}`);
  const path = positionals[0] ?? defaultModelPath();
  const bytes = await readFile(path);
  const info = readModelInfo(bytes, path);
  const weights = summarizeWeights(bytes);
  const session = await ort.InferenceSession.create(bytes);
  const describe = (names: readonly string[], metadata: readonly ort.InferenceSession.ValueMetadata[]) =>
    names.map((name, i) => {
      const m = metadata[i];
      return m !== undefined && m.isTensor ? { name, type: m.type, shape: m.shape } : { name };
    });
  const inputs = describe(session.inputNames, session.inputMetadata);
  const outputs = describe(session.outputNames, session.outputMetadata);
  await session.release();

  if (values.json) {
    console.log(JSON.stringify({ path, bytes: bytes.byteLength, ...info, weights, inputs, outputs }, null, 2));
    return 0;
  }
  const p = info.preprocessing;
  const shown = info.labels.slice(0, 10).join(', ') + (info.labels.length > 10 ? `, … (${info.labels.length} in all)` : '');
  const lines = [
    `model:         ${path} (${(bytes.byteLength / 1e6).toFixed(1)} MB)`,
    `family:        ${info.family}`,
    `labels:        ${shown}`,
    `preprocessing: shorter side → ${p.resizeShorterSide} (bilinear), centre crop ${p.inputSize}×${p.inputSize}, ${p.channelOrder}, ` +
      `× ${formatNumber(p.scale)}, − mean [${p.mean.join(', ')}], ÷ std [${p.std.join(', ')}]`,
    `weights:       ${weights.map((w) => `${w.dtype} (${w.values.toLocaleString('en-US')} values)`).join(', ')}` +
      (weights.some((w) => w.dtype === 'float16') ? ', computed in float32' : ''),
    ...inputs.map((v) => `input:         ${formatValue(v)}`),
    ...outputs.map((v) => `output:        ${formatValue(v)}`),
    `opset:         ${info.opsetVersion} (IR ${info.irVersion}), producer ${info.producer || 'unknown'}`,
  ];
  const sourceKind = info.sourceFormat === 'onnx' ? 'ONNX file' : `${info.sourceFormat ?? 'unknown'} checkpoint`;
  if (info.sourceSha256) lines.push(`source:        ${sourceKind}, SHA-256 ${info.sourceSha256}`);
  console.log(lines.join('\n'));
  return 0;
}

function formatValue(value: { name: string; type?: string; shape?: readonly (number | string)[] }): string {
  return value.type === undefined ? value.name : `${value.name} ${value.type}[${(value.shape ?? []).join(', ')}]`;
}

function formatNumber(value: number): string {
  return Math.abs(value - 1 / 255) < 1e-12 ? '1/255' : String(value);
}
