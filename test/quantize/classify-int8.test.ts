import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  classify,
  DEFAULT_DTYPE,
  defaultModelPath,
  loadClassifier,
  ModelError,
  type NodeClassifier,
} from '../../src/index.js';
import { FIXTURES, maxAbsDiff } from '../support/fixtures.js';

const IMAGES = join(FIXTURES, 'images');
/** Every decodable fixture image: the ten CIFAR-10 test JPEGs and the odd sizes and formats. */
const FIXTURE_IMAGES = [
  ...readdirSync(join(IMAGES, 'cifar10')).map((f) => join(IMAGES, 'cifar10', f)),
  ...readdirSync(IMAGES)
    .filter((f) => /\.(jpg|png)$/.test(f))
    .map((f) => join(IMAGES, f)),
];
/** int8 against float32 on these images; measured worst 0.041 (x86, AVX-512 VNNI); the bound leaves room for other CPUs' kernels. */
const PROBABILITY_TOLERANCE = 0.06;

describe('the int8 default model against the float32 one', () => {
  let fp32: NodeClassifier;
  let int8: NodeClassifier;
  before(async () => {
    fp32 = await loadClassifier(undefined, { dtype: 'fp32' });
    int8 = await loadClassifier(undefined, { dtype: 'int8' });
  });
  after(async () => {
    await fp32?.dispose();
    await int8?.dispose();
  });

  test('the dtype option picks the embedded model of that precision', () => {
    assert.equal(fp32.info.dtype, 'fp32');
    assert.equal(int8.info.dtype, 'int8');
    assert.ok(int8.info.calibration?.includes('"method":"minmax"'));
  });

  test('same top-1 on every fixture image, probabilities close', async () => {
    assert.ok(FIXTURE_IMAGES.length >= 20);
    const a = await fp32.classifyBatch(FIXTURE_IMAGES, { top: 10 });
    const b = await int8.classifyBatch(FIXTURE_IMAGES, { top: 10 });
    let worst = 0;
    FIXTURE_IMAGES.forEach((file, i) => {
      assert.equal(b[i]!.top[0]!.label, a[i]!.top[0]!.label, file);
      const byIndex = (p: readonly { index: number; probability: number }[]) =>
        [...p].sort((x, y) => x.index - y.index).map((x) => x.probability);
      worst = Math.max(worst, maxAbsDiff(byIndex(a[i]!.top), byIndex(b[i]!.top)));
    });
    assert.ok(worst <= PROBABILITY_TOLERANCE, `worst probability difference ${worst}`);
  });

  test('the CIFAR-10 fixtures: int8 names the true class wherever float32 does', async () => {
    const files = FIXTURE_IMAGES.filter((f) => f.includes('cifar10'));
    const top = await int8.classifyBatch(files, { top: 1 });
    const reference = await fp32.classifyBatch(files, { top: 1 });
    files.forEach((file, i) => {
      const truth = file.split('/').at(-1)!.split('-')[0];
      if (reference[i]!.top[0]!.label === truth) assert.equal(top[i]!.top[0]!.label, truth, file);
    });
  });
});

describe('dtype defaults and errors', () => {
  test('int8 by default on cpu (and wasm), float32 on cuda and webgpu', async () => {
    assert.deepEqual(DEFAULT_DTYPE, { cpu: 'int8', wasm: 'int8', cuda: 'fp32', webgpu: 'fp32' });
    const classifier = await loadClassifier();
    try {
      assert.equal(classifier.info.dtype, 'int8');
    } finally {
      await classifier.dispose();
    }
    const { top } = await classify(join(IMAGES, 'cifar10', 'cat-0000.jpg'), { dtype: 'fp32', top: 1 });
    assert.equal(top[0]!.label, 'cat');
  });

  test('an unknown dtype names the valid ones', async () => {
    // @ts-expect-error: the type refuses it; a JavaScript caller's mistake is refused at run time.
    await assert.rejects(loadClassifier(undefined, { dtype: 'int4' }), {
      name: 'RangeError',
      message: "dtype should be one of fp32, int8, got 'int4'",
    });
  });

  test('a model of another precision than the dtype asked for is refused', async () => {
    await assert.rejects(loadClassifier(defaultModelPath('fp32'), { dtype: 'int8' }), (error: unknown) => {
      assert.ok(error instanceof ModelError);
      assert.equal(
        error.message,
        `${defaultModelPath('fp32')} is an fp32 model, not int8 (make an int8 one with nin-sdk quantize)`,
      );
      return true;
    });
    await assert.rejects(loadClassifier(readFileSync(defaultModelPath('int8')), { dtype: 'fp32' }), {
      name: 'ModelError',
      message: 'model bytes is an int8 model, not fp32',
    });
  });
});
