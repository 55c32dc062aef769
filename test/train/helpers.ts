import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { readCheckpoint } from '../../src/formats/pth/index.js';
import { FIXTURES, CHECKPOINTS } from '../support/fixtures.js';

export const TRAINING_FIXTURES = join(FIXTURES, 'training');

interface ArrayEntry {
  readonly dtype: 'float32' | 'uint8' | 'int64';
  readonly shape: readonly number[];
  readonly offset: number;
}

/** A fixture written by fixtures/make_training_fixtures.py: a JSON index and one binary. */
export class Bundle {
  readonly meta: Readonly<Record<string, unknown>>;
  private readonly arrays: Readonly<Record<string, ArrayEntry>>;
  private readonly bytes: Uint8Array;

  constructor(readonly name: string) {
    const index = JSON.parse(readFileSync(join(TRAINING_FIXTURES, `${name}.json`), 'utf8')) as {
      binary: string;
      meta: Record<string, unknown>;
      arrays: Record<string, ArrayEntry>;
    };
    this.meta = index.meta;
    this.arrays = index.arrays;
    this.bytes = readFileSync(join(TRAINING_FIXTURES, index.binary));
  }

  has(key: string): boolean {
    return key in this.arrays;
  }

  keys(): string[] {
    return Object.keys(this.arrays);
  }

  shape(key: string): readonly number[] {
    return this.entry(key).shape;
  }

  float32(key: string): Float32Array {
    const e = this.entry(key, 'float32');
    const length = e.shape.reduce((a, b) => a * b, 1);
    return new Float32Array(
      this.bytes.buffer.slice(this.bytes.byteOffset + e.offset, this.bytes.byteOffset + e.offset + 4 * length),
    );
  }

  uint8(key: string): Uint8Array {
    const e = this.entry(key, 'uint8');
    const length = e.shape.reduce((a, b) => a * b, 1);
    return new Uint8Array(this.bytes.subarray(e.offset, e.offset + length));
  }

  private entry(key: string, dtype?: ArrayEntry['dtype']): ArrayEntry {
    const e = this.arrays[key];
    if (e === undefined) throw new Error(`${this.name}: no array ${key}`);
    if (dtype !== undefined && e.dtype !== dtype) throw new Error(`${this.name}: ${key} is ${e.dtype}, not ${dtype}`);
    return e;
  }
}

/** max|a − b| / max(max|b|, tiny): the error measure of the proof, per tensor. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} vs expected ${expected.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    diff = Number.isNaN(d) ? Infinity : Math.max(diff, d);
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return diff / Math.max(scale, 1e-30);
}

/** The float32 tensors of a fixture checkpoint, by state_dict key. */
export function checkpointTensors(file: string): Map<string, { shape: readonly number[]; data: Float32Array }> {
  const { tensors } = readCheckpoint(readFileSync(join(CHECKPOINTS, file)));
  const out = new Map<string, { shape: readonly number[]; data: Float32Array }>();
  for (const [key, t] of tensors) {
    if (!(t.data instanceof Float32Array)) throw new Error(`${file}: ${key} is not float32`);
    out.set(key, { shape: t.shape, data: t.data });
  }
  return out;
}

/** CIFAR fixtures: (u8 − 128) / 64, exact in float32, as the Python side computes it. */
export function cifarInput(u8: Uint8Array): Float32Array {
  return Float32Array.from(u8, (v) => (v - 128) / 64);
}

/** ImageNet fixtures: u8 − 128. */
export function imagenetInput(u8: Uint8Array): Float32Array {
  return Float32Array.from(u8, (v) => v - 128);
}

export type Feeds = Record<string, ort.Tensor>;

export function tensor(data: Float32Array, dims: readonly number[]): ort.Tensor {
  return new ort.Tensor('float32', data, dims);
}

export function scalar(value: number): ort.Tensor {
  return new ort.Tensor('float32', Float32Array.of(value), []);
}

/** Runs once and releases the session. */
export async function runOnce(model: Uint8Array, feeds: Feeds): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(model);
  try {
    return outputsAsFloat32(await session.run(feeds));
  } finally {
    await session.release();
  }
}

export function outputsAsFloat32(results: ort.InferenceSession.OnnxValueMapType): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const [name, t] of Object.entries(results)) {
    if (!(t.data instanceof Float32Array)) throw new Error(`output ${name} is ${t.type}, not float32`);
    out[name] = t.data;
  }
  return out;
}
