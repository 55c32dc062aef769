import { CIFAR10_PREPROCESSING, IMAGENET_CAFFE_PREPROCESSING } from '../../src/preprocess/spec.js';
import { IMAGENET_LABELS } from './labels/imagenet.js';
import type { FamilyId, FamilySpec, LayerSpec } from './spec.js';

const conv = (kernel: number, stride = 1, padding = 0): LayerSpec => ({ kind: 'conv', kernel, stride, padding });
const relu: LayerSpec = { kind: 'relu' };
const dropout: LayerSpec = { kind: 'dropout', p: 0.5 };

export const CIFAR10_LABELS: readonly string[] = Object.freeze([
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
]);

/**
 * pytorch-nin-cifar10 (`original.py`): keys classifier.{0,2,4,8,10,12,16,18,20}.
 *
 * @example
 * ```ts
 * import { architectureFromWidths, NIN_CIFAR10 } from 'nin-sdk/train';
 * const architecture = architectureFromWidths(NIN_CIFAR10, [192, 160, 96, 192, 192, 192, 192, 192, 10]);
 * ```
 */
export const NIN_CIFAR10: FamilySpec = {
  id: 'cifar10',
  title: 'pytorch-nin-cifar10',
  container: 'classifier',
  inputSize: 32,
  labels: CIFAR10_LABELS,
  preprocessing: CIFAR10_PREPROCESSING,
  layers: [
    conv(5, 1, 2),
    relu,
    conv(1),
    relu,
    conv(1),
    relu,
    { kind: 'maxPool', kernel: 3, stride: 2, padding: 1, ceilMode: false },
    dropout,
    conv(5, 1, 2),
    relu,
    conv(1),
    relu,
    conv(1),
    relu,
    { kind: 'avgPool', kernel: 3, stride: 2, padding: 1, ceilMode: false, countIncludePad: true },
    dropout,
    conv(3, 1, 1),
    relu,
    conv(1),
    relu,
    conv(1),
    relu,
    { kind: 'avgPool', kernel: 8, stride: 1, padding: 0, ceilMode: false, countIncludePad: true },
  ],
};

const ceilMaxPool: LayerSpec = { kind: 'maxPool', kernel: 3, stride: 2, padding: 0, ceilMode: true };

/**
 * pytorch-nin (`NIN.py`, from Caffe's NIN-ImageNet): keys features.{0,2,4,7,9,11,14,16,18,22,24,26}.
 *
 * @example
 * ```ts
 * import { architectureFromWidths, NIN_IMAGENET } from 'nin-sdk/train';
 * const architecture = architectureFromWidths(NIN_IMAGENET, [96, 96, 96, 256, 256, 256, 384, 384, 384, 1024, 1024, 1000]);
 * ```
 */
export const NIN_IMAGENET: FamilySpec = {
  id: 'imagenet',
  title: 'pytorch-nin (ImageNet)',
  container: 'features',
  inputSize: 224,
  labels: IMAGENET_LABELS,
  preprocessing: IMAGENET_CAFFE_PREPROCESSING,
  layers: [
    conv(11, 4, 0),
    relu,
    conv(1),
    relu,
    conv(1),
    relu,
    ceilMaxPool,
    conv(5, 1, 2),
    relu,
    conv(1),
    relu,
    conv(1),
    relu,
    ceilMaxPool,
    conv(3, 1, 1),
    relu,
    conv(1),
    relu,
    conv(1),
    relu,
    ceilMaxPool,
    dropout,
    conv(3, 1, 1),
    relu,
    conv(1),
    relu,
    conv(1),
    relu,
    { kind: 'avgPool', kernel: 6, stride: 1, padding: 0, ceilMode: true, countIncludePad: true },
    { kind: 'softmax' },
  ],
};

/**
 * The two NIN families of the original converter, by id (the registry holds them and more).
 *
 * @example
 * ```ts
 * import { FAMILIES } from 'nin-sdk';
 * console.log(FAMILIES.cifar10.layers.length);
 * ```
 */
export const FAMILIES: Readonly<Record<FamilyId, FamilySpec>> = Object.freeze({
  cifar10: NIN_CIFAR10,
  imagenet: NIN_IMAGENET,
});

export const FAMILY_IDS: readonly FamilyId[] = Object.freeze(Object.keys(FAMILIES) as FamilyId[]);
