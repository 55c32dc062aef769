import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chooseSampleIndexes } from '../../src/quantize/node/calibration-sample.js';

describe('chooseSampleIndexes', () => {
  test('picks count distinct indexes below total, the same for the same seed', () => {
    const a = chooseSampleIndexes(50_000, 1000, 0);
    assert.equal(a.size, 1000);
    assert.ok([...a].every((i) => Number.isInteger(i) && i >= 0 && i < 50_000));
    assert.deepEqual([...chooseSampleIndexes(50_000, 1000, 0)], [...a]);
    assert.notDeepEqual([...chooseSampleIndexes(50_000, 1000, 1)], [...a]);
  });

  test('spreads over the whole dataset: each tenth (one CIFAR-10 class of a sorted tar) gets about a tenth', () => {
    const counts = new Array<number>(10).fill(0);
    for (const i of chooseSampleIndexes(50_000, 1000, 0)) counts[Math.floor(i / 5000)]!++;
    for (const c of counts) assert.ok(c >= 60 && c <= 140, `tenths got ${counts.join(', ')}`);
  });

  test('asks for more than there are: all of them', () => {
    assert.deepEqual([...chooseSampleIndexes(5, 10, 0)].sort(), [0, 1, 2, 3, 4]);
    assert.equal(chooseSampleIndexes(0, 10, 0).size, 0);
  });
});
