import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pixelsToTensor } from '../../src/preprocess/index.js';
import { cropFlipPlanes, drawCropFlip } from '../../src/train/data/augment.js';
import { BatchIterator, type BatchIteratorOptions, type TrainingBatch } from '../../src/train/data/batch-iterator.js';
import { Random } from '../../src/numeric/random.js';
import { syntheticDataset, syntheticSpec } from './synthetic.js';

const dataset = syntheticDataset(10, 4, 3);
const spec = syntheticSpec(4);
const trainOptions: BatchIteratorOptions = {
  spec,
  batchSize: 4,
  seed: 123,
  augment: { padding: 2, flip: true },
  dropout: [
    { shape: [2, 3], p: 0.5 },
    { shape: [5], p: 0.25 },
  ],
};
const IMAGE_VALUES = 3 * 4 * 4;

function take(iterator: BatchIterator, n: number): TrainingBatch[] {
  return Array.from({ length: n }, () => iterator.next());
}

/** The tensor src/preprocess gives for image `index` of the dataset. */
function preprocessed(index: number): Float32Array {
  const bytes = 4 * 4 * 3;
  return pixelsToTensor(
    { data: dataset.pixels.subarray(index * bytes, (index + 1) * bytes), width: 4, height: 4, channels: 3 },
    spec,
  );
}

/** Which image a batch slot holds, told apart by its un-augmented tensor. */
function imageIndexOf(slot: Float32Array): number {
  const index = Array.from({ length: dataset.count }, (_, i) => i).find((i) =>
    preprocessed(i).every((v, k) => v === slot[k]),
  );
  assert.ok(index !== undefined, 'slot matches no image');
  return index;
}

describe('BatchIterator', () => {
  it('is deterministic for a seed: same batches, crops and masks; another seed differs', () => {
    const a = take(BatchIterator.create(dataset, trainOptions), 7);
    const b = take(BatchIterator.create(dataset, trainOptions), 7);
    assert.deepEqual(a, b);
    const c = take(BatchIterator.create(dataset, { ...trainOptions, seed: 124 }), 7);
    assert.notDeepEqual(
      a.map((batch) => batch.input),
      c.map((batch) => batch.input),
    );
  });

  it('serves each image once per epoch, in batches of 4, 4, 2, in a new order each epoch', () => {
    const iterator = BatchIterator.create(dataset, { spec, batchSize: 4, seed: 9 });
    assert.equal(iterator.batchesPerEpoch, 3);
    const orders: number[][] = [];
    for (let epoch = 0; epoch < 3; epoch++) {
      assert.equal(iterator.epoch, epoch);
      const batches = [...iterator.epochBatches()];
      assert.deepEqual(
        batches.map((b) => [b.epoch, b.firstSample, b.size, b.lastOfEpoch]),
        [
          [epoch, 0, 4, false],
          [epoch, 4, 4, false],
          [epoch, 8, 2, true],
        ],
      );
      const order = batches.flatMap((b) =>
        Array.from({ length: b.size }, (_, i) =>
          imageIndexOf(b.input.subarray(i * IMAGE_VALUES, (i + 1) * IMAGE_VALUES)),
        ),
      );
      assert.deepEqual(
        [...order].sort((x, y) => x - y),
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      );
      orders.push(order);
    }
    assert.equal(new Set(orders.map((o) => o.join())).size, 3);
  });

  it('resumes from a JSON state exactly: the same batches, masks and epochs as without the interruption', () => {
    const straight = take(BatchIterator.create(dataset, trainOptions), 9);
    for (const stopAfter of [0, 1, 2, 3, 5]) {
      const first = BatchIterator.create(dataset, trainOptions);
      take(first, stopAfter);
      const saved = JSON.parse(JSON.stringify(first.state));
      const resumed = BatchIterator.resume(dataset, trainOptions, saved);
      assert.deepEqual(take(resumed, 9 - stopAfter), straight.slice(stopAfter), `stopped after ${stopAfter} batches`);
    }
  });

  it('without augmentation, normalises exactly as src/preprocess (pixelsToTensor), in dataset order when not shuffled', () => {
    const iterator = BatchIterator.create(dataset, { spec, batchSize: 10, shuffle: false });
    const batch = iterator.next();
    assert.deepEqual(batch.inputDims, [10, 3, 4, 4]);
    for (let i = 0; i < 10; i++)
      assert.deepEqual(batch.input.subarray(i * IMAGE_VALUES, (i + 1) * IMAGE_VALUES), preprocessed(i), `image ${i}`);
  });

  it('with augmentation, each image is the crop/flip of its normalised tensor, drawn in order from the generator', () => {
    const options: BatchIteratorOptions = {
      spec,
      batchSize: 10,
      shuffle: false,
      seed: 5,
      augment: { padding: 2, flip: true },
    };
    const batch = BatchIterator.create(dataset, options).next();
    const random = Random.fromSeed(5, 0); // the per-batch stream (see BatchIterator.create)
    let flipped = 0;
    for (let i = 0; i < 10; i++) {
      const draw = drawCropFlip(random, 2);
      flipped += draw.flip ? 1 : 0;
      const expected = new Float32Array(IMAGE_VALUES);
      cropFlipPlanes(preprocessed(i), 3, 4, 2, draw, expected);
      assert.deepEqual(batch.input.subarray(i * IMAGE_VALUES, (i + 1) * IMAGE_VALUES), expected, `image ${i}`);
    }
    assert.ok(flipped > 0 && flipped < 10);
  });

  it('gives each image its label, one-hot targets and [size, …shape] keep-masks', () => {
    const batch = BatchIterator.create(dataset, { ...trainOptions, augment: false }).next();
    for (let i = 0; i < batch.size; i++) {
      // Image k of the synthetic dataset has label k mod 3.
      assert.equal(batch.labels[i], imageIndexOf(batch.input.subarray(i * IMAGE_VALUES, (i + 1) * IMAGE_VALUES)) % 3);
      assert.deepEqual(
        [...batch.targets.subarray(i * 3, i * 3 + 3)],
        [0, 1, 2].map((c) => (c === batch.labels[i] ? 1 : 0)),
      );
    }
    assert.equal(batch.targets.length, batch.size * 3);
    assert.deepEqual(
      batch.dropoutMasks.map((m) => m.length),
      [4 * 6, 4 * 5],
    );
    assert.ok(batch.dropoutMasks.every((m) => m.every((v) => v === 0 || v === 1)));
  });

  it('drops the last, smaller batch with dropLast', () => {
    const iterator = BatchIterator.create(dataset, { spec, batchSize: 4, dropLast: true });
    assert.equal(iterator.imagesPerEpoch, 8);
    assert.deepEqual(
      [...iterator.epochBatches()].map((b) => b.size),
      [4, 4],
    );
    assert.equal(iterator.epoch, 1);
  });

  it('refuses a spec of another size, a state of another dataset, bad options', () => {
    assert.throws(
      () => BatchIterator.create(dataset, { spec: syntheticSpec(8), batchSize: 2 }),
      /inputSize is 8, the dataset's images are 4×4/,
    );
    const state = BatchIterator.create(dataset, trainOptions).state;
    assert.throws(
      () => BatchIterator.resume(syntheticDataset(11), trainOptions, state),
      /saved for a dataset of 10 images/,
    );
    assert.throws(() => BatchIterator.resume(dataset, trainOptions, { ...state, position: 10 }), /position 10 is past/);
    assert.throws(
      () => BatchIterator.resume(dataset, { ...trainOptions, seed: 1 }, state),
      /saved state was made with seed 123/,
    );
    assert.throws(() => BatchIterator.create(dataset, { spec, batchSize: 0 }), /batchSize/);
    assert.throws(
      () => BatchIterator.create(dataset, { spec, batchSize: 2, dropout: [{ shape: [3], p: 1 }] }),
      /dropout\[0\]\.p/,
    );
    assert.throws(() => BatchIterator.create(dataset, { spec, batchSize: 11, dropLast: true }), /no batch of 11/);
  });
});
