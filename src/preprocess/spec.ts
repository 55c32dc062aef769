/**
 * How an image becomes the model's input tensor. Written by nin-convert into the ONNX metadata
 * (`nin.preprocessing`) and read back by the SDK, so preprocessing follows the model instead of being guessed.
 * One spec drives both the sharp path (Node) and the canvas path (browsers).
 *
 * @example
 * ```ts
 * import type { PreprocessSpec } from 'nin-sdk';
 * // pytorch-nin-cifar10's: the whole 32×32 image, RGB in [0, 1], normalised per channel.
 * const cifar: PreprocessSpec = {
 *   inputSize: 32,
 *   resizeShorterSide: 32,
 *   channelOrder: 'RGB',
 *   scale: 1 / 255,
 *   mean: [0.4914, 0.4822, 0.4465],
 *   std: [0.247, 0.2435, 0.2616],
 * };
 * ```
 */
export interface PreprocessSpec {
  /** Side of the square input the network takes (32 for CIFAR-10, 224 for ImageNet). */
  readonly inputSize: number;
  /**
   * The shorter side is resized to this (bilinear, aspect ratio kept), then the centre `inputSize` square is
   * cropped. Equal to `inputSize` when the whole image is used.
   */
  readonly resizeShorterSide: number;
  /**
   * Planes of the input tensor: 3 (colour, the default when absent, as in every model converted before the
   * architecture registry) or 1 (grey, e.g. d2l's Fashion-MNIST NiN). A 1-channel model gets the image converted the
   * way PIL's `convert('L')` does (ITU-R 601-2 luma, src/preprocess/grey.ts) before the resize, as a torchvision
   * pipeline on an 'L' image does; its three mean and std entries must then be equal.
   */
  readonly channels?: 1 | 3;
  /** Order of the three colour planes in the tensor: Caffe models take BGR. Ignored by 1-channel specs. */
  readonly channelOrder: 'RGB' | 'BGR';
  /** Pixel values 0–255 are multiplied by this first (1/255 for [0, 1] inputs, 1 for Caffe's 0–255). */
  readonly scale: number;
  /** Subtracted per channel after scaling, in `channelOrder`. */
  readonly mean: readonly [number, number, number];
  /** Divided per channel after the mean, in `channelOrder`. */
  readonly std: readonly [number, number, number];
}

/** Caffe's NIN-ImageNet convention: BGR, 0–255, mean subtraction, no std; shorter side 256, centre crop 224. */
export const IMAGENET_CAFFE_PREPROCESSING: PreprocessSpec = Object.freeze({
  inputSize: 224,
  resizeShorterSide: 256,
  channelOrder: 'BGR',
  scale: 1,
  mean: [103.939, 116.779, 123.68] as const,
  std: [1, 1, 1] as const,
});

/**
 * What the embedded default CIFAR-10 model was trained with (by `nin-sdk train`, as fixtures/default-model/train.py
 * does in PyTorch): RGB in [0, 1], normalised with the CIFAR-10 training-set channel statistics; the whole image
 * resized to 32×32.
 */
export const CIFAR10_PREPROCESSING: PreprocessSpec = Object.freeze({
  inputSize: 32,
  resizeShorterSide: 32,
  channelOrder: 'RGB',
  scale: 1 / 255,
  mean: [0.4914, 0.4822, 0.4465] as const,
  std: [0.247, 0.2435, 0.2616] as const,
});

/**
 * The CIFAR-10 normalisation many training scripts copy, std (0.2023, 0.1994, 0.2010) rather than the training
 * set's: kuangliu/pytorch-cifar's main.py and pytorchcv's cifar10_val_transform (CIFAR-100 and SVHN too).
 */
export const CIFAR10_COPIED_STD_PREPROCESSING: PreprocessSpec = Object.freeze({
  ...CIFAR10_PREPROCESSING,
  std: [0.2023, 0.1994, 0.201] as const,
});

/** The planes of a spec's input tensor: its `channels`, 3 when absent. */
export function specChannels(spec: PreprocessSpec): 1 | 3 {
  return spec.channels ?? 3;
}
