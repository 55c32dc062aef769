import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dropoutMask } from '../../src/train/data/dropout-mask.js';
import { Random } from '../../src/numeric/random.js';
import { shuffledIndices } from '../../src/train/data/shuffle.js';

const draws = (random: Random, n: number): number[] => Array.from({ length: n }, () => random.nextUint32());

describe('Random (xoshiro128**)', () => {
  it("matches the authors' C reference from the state {1, 2, 3, 4}", () => {
    // Output of xoshiro128starstar.c's next() with s = {1, 2, 3, 4}, compiled with gcc.
    assert.deepEqual(
      draws(Random.fromState([1, 2, 3, 4]), 8),
      [11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849],
    );
  });

  it('gives the same stream for the same seed, and unrelated ones for other seeds and sub-streams', () => {
    assert.deepEqual(draws(Random.fromSeed(42), 16), draws(Random.fromSeed(42), 16));
    const streams = [
      Random.fromSeed(42),
      Random.fromSeed(43),
      Random.fromSeed(42, 1),
      Random.fromSeed(42, 2),
      Random.fromSeed(0),
    ].map((r) => draws(r, 4).join());
    assert.equal(new Set(streams).size, streams.length);
  });

  it('continues exactly from its state, through JSON', () => {
    const random = Random.fromSeed(7);
    draws(random, 5);
    const resumed = Random.fromState(JSON.parse(JSON.stringify(random.state)));
    assert.deepEqual(draws(resumed, 20), draws(random, 20));
  });

  it('nextInt covers [0, bound) evenly; nextFloat stays in [0, 1)', () => {
    const random = Random.fromSeed(1);
    const counts = new Array<number>(9).fill(0);
    for (let i = 0; i < 90_000; i++) counts[random.nextInt(9)]! += 1;
    // 10,000 expected per value, standard deviation about 95: ±600 is over 6 sigma.
    for (const count of counts) assert.ok(Math.abs(count - 10_000) < 600, `counts ${counts}`);
    let min = 1;
    let max = 0;
    for (let i = 0; i < 10_000; i++) {
      const x = random.nextFloat();
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    assert.ok(min >= 0 && min < 0.001 && max < 1 && max > 0.999, `${min} … ${max}`);
    assert.equal(random.nextInt(1), 0);
  });

  it('refuses seeds and states it cannot represent', () => {
    assert.throws(() => Random.fromSeed(-1), /seeds must be whole numbers/);
    assert.throws(() => Random.fromSeed(2 ** 32), /seeds must be whole numbers/);
    assert.throws(() => Random.fromState([0, 0, 0, 0]), /all-zero/);
    assert.throws(
      () => Random.fromState([1, 2, 3] as unknown as [number, number, number, number]),
      /four unsigned 32-bit/,
    );
    assert.throws(() => Random.fromSeed(1).nextInt(0), /bound/);
  });
});

describe('shuffledIndices', () => {
  it('is a permutation, fixed by the seed', () => {
    const order = shuffledIndices(1000, Random.fromSeed(3));
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      Array.from({ length: 1000 }, (_, i) => i),
    );
    assert.deepEqual(order, shuffledIndices(1000, Random.fromSeed(3)));
    assert.notDeepEqual(order, shuffledIndices(1000, Random.fromSeed(4)));
  });
});

describe('dropoutMask', () => {
  it('is 0/1 with keep probability 1 − p, fixed by the seed', () => {
    const mask = dropoutMask(Random.fromSeed(5), 100_000, 0.5);
    assert.ok(mask.every((v) => v === 0 || v === 1));
    const kept = mask.reduce((sum, v) => sum + v, 0) / mask.length;
    assert.ok(Math.abs(kept - 0.5) < 0.01, `kept ${kept}`);
    const sparse = dropoutMask(Random.fromSeed(5), 100_000, 0.9);
    assert.ok(Math.abs(sparse.reduce((s, v) => s + v, 0) / sparse.length - 0.1) < 0.01);
    assert.deepEqual(mask, dropoutMask(Random.fromSeed(5), 100_000, 0.5));
  });

  it('takes a 1-bit slice of a draw per value at p = 0.5, lowest bits first, and k bits at p = m / 2^k', () => {
    const draws = Random.fromSeed(9);
    const first = draws.nextUint32();
    const second = draws.nextUint32();
    const bitsOf = (word: number, count: number): number[] => Array.from({ length: count }, (_, b) => (word >>> b) & 1);
    // 40 values: all 32 bits of the first draw, then the low 8 of the second; the rest of that draw is unused.
    const half = dropoutMask(Random.fromSeed(9), 40, 0.5);
    assert.deepEqual(Array.from(half), [...bitsOf(first, 32), ...bitsOf(second, 8)]);
    const afterHalf = Random.fromSeed(9);
    afterHalf.nextUint32();
    afterHalf.nextUint32();
    const used = Random.fromSeed(9);
    dropoutMask(used, 40, 0.5);
    assert.deepEqual(used.state, afterHalf.state);
    // p = 0.75 = 3/4: 2-bit slices, kept only when the slice is 3.
    const quarters = Array.from({ length: 16 }, (_, k) => (((first >>> (2 * k)) & 3) === 3 ? 1 : 0));
    assert.deepEqual(Array.from(dropoutMask(Random.fromSeed(9), 16, 0.75)), quarters);
    // p = 0.3 is no multiple of a power of two: one whole draw per value, as before.
    const wholeDraws = Random.fromSeed(9);
    const expected = Array.from({ length: 5 }, () => (wholeDraws.nextUint32() >= Math.ceil(0.3 * 2 ** 32) ? 1 : 0));
    assert.deepEqual(Array.from(dropoutMask(Random.fromSeed(9), 5, 0.3)), expected);
    for (const p of [0.25, 0.5, 0.75, 0.0625]) {
      const kept = dropoutMask(Random.fromSeed(3), 200_000, p).reduce((sum, v) => sum + v, 0) / 200_000;
      assert.ok(Math.abs(kept - (1 - p)) < 0.005, `p ${p}: kept ${kept}`);
    }
  });

  it('keeps everything at p = 0 and refuses p outside [0, 1)', () => {
    assert.ok(dropoutMask(Random.fromSeed(1), 1000, 0).every((v) => v === 1));
    assert.throws(() => dropoutMask(Random.fromSeed(1), 10, 1), /p must be in \[0, 1\)/);
    assert.throws(() => dropoutMask(Random.fromSeed(1), 10, NaN), /p must be in \[0, 1\)/);
  });
});
