import type { PreprocessSpec } from '../../src/preprocess/spec.js';

/**
 * One entry of a family's `nn.Sequential`, at the index PyTorch gave it. Hyper-parameters (kernel, stride,
 * padding) come from the family; channel counts are read from the weights, so width variants convert too.
 */
export type LayerSpec =
  | { readonly kind: 'conv'; readonly kernel: number; readonly stride: number; readonly padding: number }
  | { readonly kind: 'relu' }
  | {
      readonly kind: 'maxPool';
      readonly kernel: number;
      readonly stride: number;
      readonly padding: number;
      readonly ceilMode: boolean;
    }
  | {
      readonly kind: 'avgPool';
      readonly kernel: number;
      readonly stride: number;
      readonly padding: number;
      readonly ceilMode: boolean;
      /** PyTorch's default is true: padded zeros count in the average. */
      readonly countIncludePad: boolean;
    }
  | { readonly kind: 'dropout'; readonly p: number }
  | { readonly kind: 'softmax' };

/**
 * The two NIN families: pytorch-nin-cifar10's and pytorch-nin's (ImageNet).
 *
 * @example
 * ```ts
 * import { convertCheckpoint, type FamilyId } from 'nin-sdk';
 * import { readFileSync } from 'node:fs';
 * const family: FamilyId = 'imagenet';
 * const { onnx } = await convertCheckpoint(readFileSync('renamed.pth'), { family });
 * ```
 */
export type FamilyId = 'cifar10' | 'imagenet';

export interface FamilySpec {
  readonly id: FamilyId;
  /** Human name, as the public repositories are called. */
  readonly title: string;
  /** Attribute that holds the `nn.Sequential` in the original model class (`classifier` / `features`). */
  readonly container: string;
  readonly layers: readonly LayerSpec[];
  readonly inputSize: number;
  readonly labels: readonly string[];
  readonly preprocessing: PreprocessSpec;
}

/** Indices of the convolutions in a family's Sequential: these carry `.weight` and `.bias`. */
export function convIndices(family: FamilySpec): number[] {
  return family.layers.flatMap((layer, index) => (layer.kind === 'conv' ? [index] : []));
}
