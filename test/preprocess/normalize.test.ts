import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkPreprocessSpec } from '../../src/preprocess/check-spec.js';
import { pixelsToTensor, stackImages, type PreprocessedImage } from '../../src/preprocess/normalize.js';
import { CIFAR10_PREPROCESSING, IMAGENET_CAFFE_PREPROCESSING, type PreprocessSpec } from '../../src/preprocess/spec.js';

// A 2×1 image: a red-ish pixel and a blue-ish one.
const twoPixels = { data: Uint8Array.from([200, 10, 20, 0, 128, 255]), width: 2, height: 1, channels: 3 };
const f = Math.fround;

describe('pixelsToTensor', () => {
  const spec2 = (base: PreprocessSpec): PreprocessSpec => ({ ...base, inputSize: 2, resizeShorterSide: 2 });
  const square = {
    data: Uint8Array.from([200, 10, 20, 0, 128, 255, 7, 8, 9, 255, 255, 255]),
    width: 2,
    height: 2,
    channels: 3,
  };

  it('Caffe convention: BGR planes, 0–255 minus the mean, in float32 as torch computes it', () => {
    const tensor = pixelsToTensor(square, spec2(IMAGENET_CAFFE_PREPROCESSING));
    const [b, g, r] = [103.939, 116.779, 123.68].map((m) => f(m));
    assert.deepEqual(Array.from(tensor), [
      ...[20, 255, 9, 255].map((v) => f(v - b!)),
      ...[10, 128, 8, 255].map((v) => f(v - g!)),
      ...[200, 0, 7, 255].map((v) => f(v - r!)),
    ]);
  });

  it('ToTensor + Normalize: RGB planes, v / 255 (a division, as ToTensor does), minus mean, over std', () => {
    const tensor = pixelsToTensor(square, spec2(CIFAR10_PREPROCESSING));
    const value = (v: number, plane: number) =>
      f(f(f(v / 255) - f(CIFAR10_PREPROCESSING.mean[plane]!)) / f(CIFAR10_PREPROCESSING.std[plane]!));
    assert.deepEqual(Array.from(tensor), [
      ...[200, 0, 7, 255].map((v) => value(v, 0)),
      ...[10, 128, 8, 255].map((v) => value(v, 1)),
      ...[20, 255, 9, 255].map((v) => value(v, 2)),
    ]);
  });

  it('refuses pixels of another size than the spec', () => {
    assert.throws(() => pixelsToTensor(twoPixels, CIFAR10_PREPROCESSING), {
      name: 'RangeError',
      message: 'pixelsToTensor: pixels are 2×1, the spec needs 32×32 (resize and crop first)',
    });
  });
});

describe('stackImages', () => {
  const image = (value: number, size = 2): PreprocessedImage => ({
    tensor: new Float32Array(3 * size * size).fill(value),
    dims: [1, 3, size, size],
  });

  it('lays images one after the other in an [N, 3, S, S] tensor', () => {
    const batch = stackImages([image(1), image(2), image(3)]);
    assert.deepEqual(batch.dims, [3, 3, 2, 2]);
    assert.deepEqual(Array.from(batch.tensor), [...Array(12).fill(1), ...Array(12).fill(2), ...Array(12).fill(3)]);
  });

  it('refuses an empty list and mixed sizes', () => {
    assert.throws(() => stackImages([]), { name: 'RangeError', message: 'stackImages: no images to stack' });
    assert.throws(() => stackImages([image(1), image(1, 3)]), {
      name: 'RangeError',
      message: 'stackImages: image 1 is 3×3×3, image 0 is 3×2×2',
    });
  });
});

describe('checkPreprocessSpec', () => {
  it('accepts both shipped specs', () => {
    checkPreprocessSpec(CIFAR10_PREPROCESSING);
    checkPreprocessSpec(IMAGENET_CAFFE_PREPROCESSING);
  });

  it('names the field that is wrong', () => {
    const cases: [Partial<PreprocessSpec>, string][] = [
      [{ resizeShorterSide: 200 }, 'resizeShorterSide (200) must be at least inputSize (224)'],
      [{ inputSize: 0 }, 'inputSize must be a whole number from 1 to 4096, got 0'],
      [{ channelOrder: 'RBG' as 'RGB' }, `channelOrder must be 'RGB' or 'BGR', got "RBG"`],
      [{ std: [1, 0, 1] }, 'std must be three finite positive numbers, got [1, 0, 1]'],
      [{ scale: Number.NaN }, 'scale must be a finite non-zero number, got NaN'],
    ];
    for (const [change, message] of cases) {
      assert.throws(() => checkPreprocessSpec({ ...IMAGENET_CAFFE_PREPROCESSING, ...change }), {
        name: 'RangeError',
        message: `preprocessing spec: ${message}`,
      });
    }
  });
});
