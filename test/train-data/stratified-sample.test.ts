/**
 * --limit's sample and --val's split: seeded, stratified by class, so that a subset of a class-sorted tar (CIFAR-10's
 * are) holds every class in its share, and the same seed draws the same images.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NIN_CIFAR10 } from '../../src/convert/index.js';
import { listLabeledImages } from '../../src/datasets/node/dataset.js';
import { classCounts, stratifiedQuotas, stratifiedSample, stratifiedSplit } from '../../src/train/data/index.js';
import { loadImageDataset, relabelDataset } from '../../src/train/data/node/index.js';
import { CIFAR10_SAMPLE_TAR } from '../support/fixtures.js';

describe('stratifiedQuotas', () => {
  it('gives each class its share, the remainder to the largest fractions, summing to the total', () => {
    assert.deepEqual(
      stratifiedQuotas([5000, 5000, 5000, 5000, 5000, 5000, 5000, 5000, 5000, 5000], 500),
      [50, 50, 50, 50, 50, 50, 50, 50, 50, 50],
    );
    // 10·(6/10, 3/10, 1/10) = 6, 3, 1; 7 of them: 4.2, 2.1, 0.7 → 4, 2, 0, and the one left goes to the 0.7.
    assert.deepEqual(stratifiedQuotas([6, 3, 1], 7), [4, 2, 1]);
    // Equal remainders: the earlier class first.
    assert.deepEqual(stratifiedQuotas([3, 3, 3], 4), [2, 1, 1]);
    assert.deepEqual(stratifiedQuotas([3, 0], 3), [3, 0]);
    assert.throws(
      () => stratifiedQuotas([2, 2], 5),
      /^RangeError: stratifiedQuotas: total must be a whole number in \[0, 4\], got 5$/,
    );
  });
});

describe('stratifiedSample', () => {
  it('draws distinct positions in each class, sorted, the same for the same seed and others for another', () => {
    const a = stratifiedSample([100, 50], 30, 7, 1);
    assert.deepEqual(
      a.map((c) => c.length),
      [20, 10],
    );
    for (const [c, positions] of a.entries()) {
      assert.equal(new Set(positions).size, positions.length);
      assert.ok(positions.every((p, i) => p < [100, 50][c]! && (i === 0 || p > positions[i - 1]!)));
    }
    assert.deepEqual(stratifiedSample([100, 50], 30, 7, 1), a);
    assert.notDeepEqual(stratifiedSample([100, 50], 30, 8, 1), a);
  });
});

describe('--limit on a class-sorted tar (fixtures/images/cifar10-sample.tar: 25 images a class, class after class)', () => {
  it('loads every class in its share, not the first classes of the tar', async () => {
    const names = await listLabeledImages(CIFAR10_SAMPLE_TAR);
    assert.equal(names.length, 250);
    assert.deepEqual(
      names.slice(0, 30).map((n) => n.className),
      [...Array<string>(25).fill('airplane'), ...Array<string>(5).fill('automobile')],
      'the tar is sorted by class: its first 30 images are 25 airplanes',
    );
    const spec = NIN_CIFAR10.preprocessing;
    const { dataset } = await loadImageDataset(CIFAR10_SAMPLE_TAR, { spec, limit: 30 });
    assert.equal(dataset.count, 30);
    assert.deepEqual(dataset.classNames, NIN_CIFAR10.labels);
    assert.deepEqual(classCounts(dataset), [3, 3, 3, 3, 3, 3, 3, 3, 3, 3]);
    const again = await loadImageDataset(CIFAR10_SAMPLE_TAR, { spec, limit: 30 });
    assert.deepEqual(again.dataset.pixels, dataset.pixels, 'the same seed draws the same images');
    const other = await loadImageDataset(CIFAR10_SAMPLE_TAR, { spec, limit: 30, seed: 1 });
    assert.notDeepEqual(other.dataset.pixels, dataset.pixels, 'another seed draws others');
    assert.deepEqual(classCounts(other.dataset), [3, 3, 3, 3, 3, 3, 3, 3, 3, 3]);
  });

  it('--val holds out a stratified share, disjoint from what is trained on', async () => {
    const spec = NIN_CIFAR10.preprocessing;
    const { dataset } = await loadImageDataset(CIFAR10_SAMPLE_TAR, { spec, limit: 100 });
    const { train, validation } = stratifiedSplit(dataset, 0.1, 0);
    assert.deepEqual(classCounts(validation), [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    assert.deepEqual(classCounts(train), [9, 9, 9, 9, 9, 9, 9, 9, 9, 9]);
    const bytes = 32 * 32 * 3;
    const image = (d: typeof dataset, i: number): string =>
      Buffer.from(d.pixels.subarray(i * bytes, (i + 1) * bytes)).toString('base64');
    const trained = new Set(Array.from({ length: train.count }, (_, i) => image(train, i)));
    const all = new Set(Array.from({ length: dataset.count }, (_, i) => image(dataset, i)));
    for (let i = 0; i < validation.count; i++)
      assert.ok(!trained.has(image(validation, i)) && all.has(image(validation, i)));
    assert.throws(() => stratifiedSplit(dataset, 0, 0), /^RangeError: validation fraction must be in \(0, 1\), got 0$/);
  });

  it('reads class folders as a model’s labels, and names a folder that is none of them', async () => {
    const spec = NIN_CIFAR10.preprocessing;
    const { dataset } = await loadImageDataset(CIFAR10_SAMPLE_TAR, { spec, limit: 20 });
    const reversed = [...NIN_CIFAR10.labels].reverse();
    const relabelled = relabelDataset(dataset, reversed, 'sample.tar');
    assert.deepEqual(relabelled.classNames, reversed);
    assert.deepEqual(
      [...relabelled.labels].map((l) => reversed[l]),
      [...dataset.labels].map((l) => dataset.classNames[l]),
    );
    assert.throws(
      () => relabelDataset(dataset, ['airplane', 'bird'], 'sample.tar'),
      /^UnknownClassFolderError: sample\.tar: class folder 'automobile' is not one of the 2 labels \(folders airplane, bird\)$/,
    );
  });
});
