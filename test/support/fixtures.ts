import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Paths and readers for what fixtures/make_fixtures.py wrote (see fixtures/README.md). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES = join(ROOT, 'fixtures');
export const CHECKPOINTS = join(FIXTURES, 'checkpoints');
export const LARGE_FIXTURES = join(FIXTURES, 'generated-large', 'checkpoints');
export const SHARED_DATA = join(ROOT, '..', 'shared', 'data');
/** The first 25 images of each class of CIFAR-10's test tar (fixtures/make_cifar_sample.py): in every clone. */
export const CIFAR10_SAMPLE_TAR = join(FIXTURES, 'images', 'cifar10-sample.tar');
/** The PyTorch checkpoint models/nin-cifar10.onnx (the embedded default model) was converted from. */
export const DEFAULT_MODEL_CHECKPOINT = join(FIXTURES, 'sdk-train', 'nin-cifar10-sdk.pth');

export interface ManifestEntry {
  readonly file: string;
  readonly family: 'cifar10' | 'imagenet' | null;
  readonly model: string | null;
  readonly format: 'zip' | 'legacy' | 'legacy-v1';
  readonly dtype: string;
  readonly reference: string | null;
}

export interface ArrayRef {
  readonly file: string;
  readonly shape: readonly number[];
}

export interface Reference {
  readonly input: ArrayRef;
  readonly logits: ArrayRef;
  readonly probabilities: ArrayRef;
}

export function readManifest(folder: string = CHECKPOINTS): ManifestEntry[] {
  return JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')) as ManifestEntry[];
}

/** The full-width ImageNet fixtures, generated in CI (`make_fixtures.py --large`), not committed. */
export function largeManifest(): ManifestEntry[] | undefined {
  return existsSync(join(LARGE_FIXTURES, 'manifest.json')) ? readManifest(LARGE_FIXTURES) : undefined;
}

export function readReference(name: string, referenceFolder = join(FIXTURES, 'reference')): Reference {
  return JSON.parse(readFileSync(join(referenceFolder, `${name}.json`), 'utf8')) as Reference;
}

/** A raw little-endian float32 array written by the fixture script. */
export function readFloat32(ref: ArrayRef, referenceFolder = join(FIXTURES, 'reference')): Float32Array {
  const bytes = readFileSync(join(referenceFolder, ref.file));
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

export function argmaxRows(values: ArrayLike<number>, columns: number): number[] {
  const rows: number[] = [];
  for (let start = 0; start < values.length; start += columns) {
    let best = start;
    for (let i = start; i < start + columns; i++) if (values[i]! > values[best]!) best = i;
    rows.push(best - start);
  }
  return rows;
}
