import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { FIXTURES } from '../support/fixtures.js';
import { CIFAR10_PREPROCESSING, IMAGENET_CAFFE_PREPROCESSING, type PreprocessSpec } from '../../src/preprocess/spec.js';

/** What fixtures/make_preprocess_fixtures.py wrote: images, PIL + torchvision tensors, torchvision's geometry. */
export const IMAGES = join(FIXTURES, 'images');
export const INVALID_IMAGES = join(IMAGES, 'invalid');
const REFERENCES = join(FIXTURES, 'preprocess');

export type SpecName = 'cifar10' | 'imagenet';

export const SPECS: Readonly<Record<SpecName, PreprocessSpec>> = {
  cifar10: CIFAR10_PREPROCESSING,
  imagenet: IMAGENET_CAFFE_PREPROCESSING,
};

export interface ReferenceGeometry {
  readonly resize: { readonly width: number; readonly height: number };
  readonly crop: { readonly left: number; readonly top: number; readonly size: number };
}

export interface ImageReference extends ReferenceGeometry {
  readonly tensor: string;
  readonly dims: readonly number[];
  readonly sha256: string;
}

export interface ImageEntry {
  readonly file: string;
  readonly stored: { readonly format: string; readonly mode: string; readonly width: number; readonly height: number };
  /** Upright size (after the EXIF orientation). */
  readonly width: number;
  readonly height: number;
  readonly references: Readonly<Record<SpecName, ImageReference>>;
}

export interface GeometryCase extends ReferenceGeometry {
  readonly width: number;
  readonly height: number;
  readonly spec: SpecName;
}

export interface ResampleCase {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly data: readonly number[];
  readonly newWidth: number;
  readonly newHeight: number;
  readonly expected: readonly number[];
}

export interface PreprocessManifest {
  readonly versions: Readonly<Record<string, string>>;
  readonly images: readonly ImageEntry[];
  readonly geometry: readonly GeometryCase[];
  readonly resample: readonly ResampleCase[];
}

export const manifest = JSON.parse(readFileSync(join(REFERENCES, 'manifest.json'), 'utf8')) as PreprocessManifest;

export function readReferenceTensor(reference: ImageReference): Float32Array {
  const bytes = gunzipSync(readFileSync(join(REFERENCES, reference.tensor)));
  // Copy into a fresh, aligned buffer: the gunzip result may not start on a 4-byte boundary.
  return new Float32Array(new Uint8Array(bytes).buffer);
}

export function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} and ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}
