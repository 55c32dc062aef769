import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readLabeledImages } from '../../src/datasets/node/dataset.js';
import { CIFAR10_PREPROCESSING, preprocessImage } from '../../src/preprocess/node/index.js';
import { BatchIterator, CIFAR10_AUGMENTATION, classCounts } from '../../src/train/data/index.js';
import { loadImageDataset, sampledPositions } from '../../src/train/data/node/index.js';
import { CIFAR10_TEST_TAR as TAR, cifarTestTarMissing } from '../support/prerequisites.js';

/** The real thing, kept small: 500 of CIFAR-10's test JPEGs from the tar (../shared/data). */
const CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
const COUNT = 500;

describe('CIFAR-10 test tar: 500 images', { skip: cifarTestTarMissing() }, () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'nin-cifar-cache-'));
  after(() => rmSync(cacheDir, { recursive: true, force: true }));

  it('loads fast, then faster from the cache, and normalises as preprocessImage does', async (t) => {
    let started = performance.now();
    const decoded = await loadImageDataset(TAR, {
      spec: CIFAR10_PREPROCESSING,
      classNames: CLASSES,
      limit: COUNT,
      cacheDir,
    });
    const decodeSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    const cached = await loadImageDataset(TAR, {
      spec: CIFAR10_PREPROCESSING,
      classNames: CLASSES,
      limit: COUNT,
      cacheDir,
    });
    const cacheSeconds = (performance.now() - started) / 1000;
    t.diagnostic(
      `decode: ${Math.round(COUNT / decodeSeconds)} images/s (${decodeSeconds.toFixed(2)} s); cache: ${Math.round(COUNT / cacheSeconds)} images/s (${(cacheSeconds * 1000).toFixed(0)} ms)`,
    );

    assert.equal(decoded.fromCache, false);
    assert.equal(cached.fromCache, true);
    const { dataset } = cached;
    assert.equal(dataset.count, COUNT);
    assert.equal(dataset.imageSize, 32);
    assert.equal(dataset.pixels.length, COUNT * 32 * 32 * 3);
    // The tar is ordered by class (its first 500 are airplanes); the limit's sample is stratified: 50 a class.
    assert.deepEqual(classCounts(dataset), Array<number>(10).fill(50));
    // The speed is reported above, never asserted: tests do not fail on timing.

    const batch = BatchIterator.create(dataset, { spec: CIFAR10_PREPROCESSING, batchSize: 16, shuffle: false }).next();
    const chosen = (await sampledPositions(TAR, COUNT, 0))!;
    let i = 0;
    for await (const image of readLabeledImages(TAR, (position) => chosen[position] === 1)) {
      if (i === 16) break;
      const expected = await preprocessImage(image.bytes, CIFAR10_PREPROCESSING);
      assert.deepEqual(batch.input.subarray(i * 3072, (i + 1) * 3072), expected.tensor, image.name);
      i += 1;
    }
  });

  it('makes augmented training batches of 128 quickly', async (t) => {
    const { dataset } = await loadImageDataset(TAR, {
      spec: CIFAR10_PREPROCESSING,
      classNames: CLASSES,
      limit: COUNT,
      cacheDir,
    });
    const iterator = BatchIterator.create(dataset, {
      spec: CIFAR10_PREPROCESSING,
      batchSize: 128,
      seed: 1,
      augment: CIFAR10_AUGMENTATION,
      dropout: [
        { shape: [96, 16, 16], p: 0.5 },
        { shape: [192, 8, 8], p: 0.5 },
      ],
    });
    const started = performance.now();
    let images = 0;
    for (let n = 0; n < 8; n++) images += iterator.next().size;
    const seconds = (performance.now() - started) / 1000;
    t.diagnostic(
      `batches with augmentation and two full-width Dropout masks: ${Math.round(images / seconds)} images/s`,
    );
    assert.equal(iterator.epoch, 2);
  });
});
