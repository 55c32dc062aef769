import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { FIXTURES } from '../support/fixtures.js';
import type { PreprocessSpec } from '../../src/preprocess/spec.js';

/** What fixtures/make_grey_preprocess_fixtures.py wrote: PIL convert('L') + torchvision tensors, d2l probabilities. */
export const GREY_REFERENCES = join(FIXTURES, 'preprocess', 'grey');

export type GreySpecName = 'd2l' | 'grey32';

export interface GreyReference {
  readonly tensor: string;
  readonly dims: readonly number[];
  /** PyTorch's softmax of fixtures/arch/d2l-nin-small.params on this tensor (d2l spec only). */
  readonly d2lProbabilities?: readonly number[];
}

export interface GreyManifest {
  readonly versions: Readonly<Record<string, string>>;
  readonly specs: Readonly<
    Record<GreySpecName, { inputSize: number; resizeShorterSide: number; mean: number; std: number }>
  >;
  readonly images: readonly {
    readonly file: string;
    readonly references: Partial<Record<GreySpecName, GreyReference>>;
  }[];
  /** RGB triples and PIL's convert('L') of each, as hex strings of bytes. */
  readonly luma: { readonly rgb: string; readonly grey: string };
}

export const greyManifest = JSON.parse(readFileSync(join(GREY_REFERENCES, 'manifest.json'), 'utf8')) as GreyManifest;

/** The script's spec as the SDK's: one grey channel, [0, 1] samples, the same mean and std in all three entries. */
export function greySpec(name: GreySpecName): PreprocessSpec {
  const { inputSize, resizeShorterSide, mean, std } = greyManifest.specs[name];
  return {
    inputSize,
    resizeShorterSide,
    channels: 1,
    channelOrder: 'RGB',
    scale: 1 / 255,
    mean: [mean, mean, mean],
    std: [std, std, std],
  };
}

export function readGreyTensor(reference: GreyReference): Float32Array {
  const bytes = gunzipSync(readFileSync(join(GREY_REFERENCES, reference.tensor)));
  return new Float32Array(new Uint8Array(bytes).buffer);
}
