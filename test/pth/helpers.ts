import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import {
  CheckpointError,
  readCheckpoint,
  type CheckpointErrorCode,
  type CheckpointTensor,
  type RawCheckpointTensor,
} from '../../src/formats/pth/index.js';

export const CHECKPOINTS = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/checkpoints');

export interface ManifestTensor {
  readonly shape: number[];
  readonly dtype: string;
  readonly stride: number[];
  readonly storageOffset: number;
  readonly sha256: string;
  readonly sum: number;
}

export interface ManifestEntry {
  readonly file: string;
  readonly format: 'zip' | 'legacy' | 'legacy-v1';
  readonly wrapper: 'bare' | 'state_dict' | 'model' | 'sequential';
  readonly prefix: '' | 'module.';
  readonly dtype: string;
  readonly byteorder: 'little' | 'big';
  readonly zipPrefix: string | null;
  readonly extras: Record<string, number | string | boolean | null>;
  readonly tensors: Record<string, ManifestTensor>;
}

export interface HostileEntry {
  readonly file: string;
  readonly format: 'zip' | 'legacy';
  readonly global: string;
  readonly marker: string | null;
}

export function readManifest(): ManifestEntry[] {
  return JSON.parse(readFileSync(join(CHECKPOINTS, 'manifest.json'), 'utf8')) as ManifestEntry[];
}

export function readHostileManifest(): HostileEntry[] {
  return JSON.parse(readFileSync(join(CHECKPOINTS, 'hostile/manifest.json'), 'utf8')) as HostileEntry[];
}

/** A fixture as a plain Uint8Array (not a Buffer), as a browser would have it. */
export function fixtureBytes(file: string): Uint8Array {
  const buffer = readFileSync(join(CHECKPOINTS, file));
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** The tensor's values as float32, whatever array holds them (the manifest's convention). */
export function asFloat32(tensor: CheckpointTensor): Float32Array {
  const out = new Float32Array(tensor.data.length);
  tensor.data.forEach((value: number | bigint, index: number) => {
    out[index] = Number(value);
  });
  return out;
}

/** SHA-256 of float32 values, little-endian, and their float64 sum: how the manifest fingerprints tensors. */
export function fingerprint(values: Float32Array): { sha256: string; sum: number } {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  let sum = 0;
  values.forEach((value, index) => {
    view.setFloat32(index * 4, value, true);
    sum += value;
  });
  return { sha256: createHash('sha256').update(bytes).digest('hex'), sum };
}

export function float16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** Raw (keepDtype) values decoded to float32, independently of the reader's own conversion code. */
export function rawAsFloat32(tensor: RawCheckpointTensor): Float32Array {
  const out = new Float32Array(tensor.data.length);
  const bits = new Uint32Array(1);
  const asFloat = new Float32Array(bits.buffer);
  tensor.data.forEach((value: number | bigint, index: number) => {
    if (tensor.dtype === 'float16') out[index] = float16BitsToNumber(Number(value));
    else if (tensor.dtype === 'bfloat16') {
      bits[0] = Number(value) << 16;
      out[index] = asFloat[0] ?? NaN;
    } else out[index] = Number(value);
  });
  return out;
}

/** readCheckpoint refuses `bytes` with exactly this code and message. */
export function assertRefused(bytes: Uint8Array, code: CheckpointErrorCode, message: string): void {
  assert.throws(
    () => readCheckpoint(bytes),
    (error: unknown) => {
      assert.ok(error instanceof CheckpointError, `not a CheckpointError: ${String(error)}`);
      assert.equal(error.message, message);
      assert.equal(error.code, code);
      return true;
    },
  );
}
