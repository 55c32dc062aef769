/**
 * runFineTune (nin-sdk/web's fineTune core) refuses data that cannot train before it opens any session, with the
 * CLI's words: one class (unless allowOneClass), images of another size than the model's input, no images.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import type { ImageDataset } from '../../src/train/data/image-dataset.js';
import { runFineTune } from '../../src/train/fine-tune-run.js';
import { readTrainingStart } from '../../src/train/training-start.js';
import { ROOT } from '../support/fixtures.js';

const START = readTrainingStart(readFileSync(join(ROOT, 'models', 'nin-cifar10.onnx')), 'nin-cifar10.onnx');

function dataset(count: number, classNames: readonly string[], imageSize = 32): ImageDataset {
  return {
    imageSize,
    count,
    pixels: new Uint8Array(count * imageSize * imageSize * 3),
    labels: new Uint16Array(count),
    classNames,
  };
}

function run(data: ImageDataset) {
  return runFineTune({ ort, platform: 'node', start: START, data, settings: { epochs: 1, batchSize: 4 } });
}

test('one class is refused, as the CLI refuses it, naming the class', async () => {
  await assert.rejects(run(dataset(4, ['toad'])), {
    name: 'RangeError',
    message:
      'the training images are all of one class (toad): a classifier trained on them can only ever say toad; ' +
      'give images of more classes, or allowOneClass',
  });
});

test("images of another size than the model's input, and no images, are refused", async () => {
  await assert.rejects(run(dataset(2, ['plane', 'toad'], 64)), {
    name: 'RangeError',
    message: 'the images are 64×64×3, the model takes 32×32×3 (fit them with fitPixels)',
  });
  await assert.rejects(run(dataset(0, ['plane'])), { name: 'RangeError', message: 'no images to fine-tune on' });
});
