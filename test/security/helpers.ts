import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  ModelProtoSchema,
  TensorProto_DataLocation,
  TensorProtoSchema,
  type ModelProto,
  type TensorProto,
} from 'onnx-buf';
import { ROOT } from '../support/fixtures.js';

export const NIN_SDK = join(ROOT, 'dist', 'src', 'cli', 'nin-sdk.js');
export const NIN_CONVERT = join(ROOT, 'dist', 'src', 'cli', 'nin-convert.js');
export const DEFAULT_MODEL = join(ROOT, 'models', 'nin-cifar10.onnx');

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a built CLI (dist/: build first) with a time limit, so that a hang fails the test instead of stalling it. */
export function runCli(
  cli: string,
  args: readonly string[],
  options: { cwd?: string; timeoutMs?: number } = {},
): CliResult {
  const result = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    cwd: options.cwd ?? ROOT,
    timeout: options.timeoutMs ?? 60_000,
  });
  return { code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

export function temporaryFolder(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `nin-sdk-${prefix}-`));
}

/** The embedded default model, decoded, for tests to turn into hostile variants. */
export function defaultModelProto(): ModelProto {
  return fromBinary(ModelProtoSchema, readFileSync(DEFAULT_MODEL));
}

/** `model` without its class maps output (edited in place), as models converted before maps existed were. */
export function withoutClassMaps(model: ModelProto): ModelProto {
  model.graph!.output = model.graph!.output.filter((o) => o.name !== 'class_maps');
  const outputs = model.metadataProps.find((p) => p.key === 'nin.outputs')!;
  outputs.value = JSON.stringify({ logits: 'logits', probabilities: 'probabilities' });
  return model;
}

export function encodeModel(model: ModelProto): Uint8Array {
  return toBinary(ModelProtoSchema, model);
}

/** A float32 tensor whose data ONNX Runtime would read from `location` (`length` bytes from the start). */
export function externalTensor(name: string, dims: readonly number[], location: string): TensorProto {
  const length = dims.reduce((a, b) => a * b, 1) * 4;
  return create(TensorProtoSchema, {
    name,
    dims: dims.map(BigInt),
    dataType: 1,
    dataLocation: TensorProto_DataLocation.EXTERNAL,
    externalData: [
      { key: 'location', value: location },
      { key: 'offset', value: '0' },
      { key: 'length', value: String(length) },
    ],
  });
}

/** The default model with its metadata entry `key` set to `value` (added when missing). */
export function withMetadata(model: ModelProto, key: string, value: string): ModelProto {
  const copy = fromBinary(ModelProtoSchema, toBinary(ModelProtoSchema, model));
  const entry = copy.metadataProps.find((p) => p.key === key);
  if (entry) entry.value = value;
  else copy.metadataProps.push({ $typeName: 'onnx.StringStringEntryProto', key, value });
  return copy;
}
