import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cropFlipPlanes, drawCropFlip } from '../../src/train/data/augment.js';
import { Random } from '../../src/numeric/random.js';

/** Two 3×3 planes, values that say where they come from: plane p, row y, column x → 100p + 10y + x + 1 (never 0). */
const SIZE = 3;
const source = Float32Array.from({ length: 2 * SIZE * SIZE }, (_, i) => {
  const plane = Math.floor(i / 9);
  const y = Math.floor((i % 9) / 3);
  return 100 * plane + 10 * y + (i % 3) + 1;
});

function crop(left: number, top: number, flip: boolean, padding = 1): number[][][] {
  const target = new Float32Array(source.length);
  cropFlipPlanes(source, 2, SIZE, padding, { left, top, flip }, target);
  return [0, 1].map((p) => [0, 1, 2].map((y) => [...target.subarray(p * 9 + y * 3, p * 9 + y * 3 + 3)]));
}

describe('random crop of the zero-padded image + horizontal flip (train.py)', () => {
  it('the centred crop is the image itself', () => {
    assert.deepEqual(crop(1, 1, false), [
      [
        [1, 2, 3],
        [11, 12, 13],
        [21, 22, 23],
      ],
      [
        [101, 102, 103],
        [111, 112, 113],
        [121, 122, 123],
      ],
    ]);
  });

  it('the top-left crop shifts the image down-right, zeros coming in from the padding', () => {
    assert.deepEqual(crop(0, 0, false)[0], [
      [0, 0, 0],
      [0, 1, 2],
      [0, 11, 12],
    ]);
    assert.deepEqual(crop(2, 2, false)[1], [
      [112, 113, 0],
      [122, 123, 0],
      [0, 0, 0],
    ]);
  });

  it('the flip mirrors the crop left–right (F.pad, slice, then flip(2))', () => {
    assert.deepEqual(crop(1, 1, true)[0], [
      [3, 2, 1],
      [13, 12, 11],
      [23, 22, 21],
    ]);
    assert.deepEqual(crop(0, 1, true)[0], [
      [2, 1, 0],
      [12, 11, 0],
      [22, 21, 0],
    ]);
  });

  it('matches padded[top + y][left + x] computed the slow way, for every crop of a larger padding', () => {
    const padding = 2;
    const padded = (p: number, y: number, x: number): number => {
      const sy = y - padding;
      const sx = x - padding;
      return sy >= 0 && sy < SIZE && sx >= 0 && sx < SIZE ? source[p * 9 + sy * 3 + sx]! : 0;
    };
    for (let left = 0; left <= 2 * padding; left++) {
      for (let top = 0; top <= 2 * padding; top++) {
        for (const flip of [false, true]) {
          const expected = [0, 1].map((p) =>
            [0, 1, 2].map((y) => [0, 1, 2].map((x) => padded(p, top + y, left + (flip ? 2 - x : x)))),
          );
          assert.deepEqual(crop(left, top, flip, padding), expected, `left ${left} top ${top} flip ${flip}`);
        }
      }
    }
  });

  it('writes at an offset in a batch without touching the rest', () => {
    const target = new Float32Array(3 * source.length).fill(-1);
    cropFlipPlanes(source, 2, SIZE, 1, { left: 1, top: 1, flip: false }, target, source.length);
    assert.ok(target.subarray(0, source.length).every((v) => v === -1));
    assert.deepEqual(target.subarray(source.length, 2 * source.length), source);
    assert.ok(target.subarray(2 * source.length).every((v) => v === -1));
  });

  it('draws offsets in 0 … 2·padding, each one, and flips about half the time', () => {
    const random = Random.fromSeed(11);
    const lefts = new Set<number>();
    const tops = new Set<number>();
    let flips = 0;
    for (let i = 0; i < 4000; i++) {
      const { left, top, flip } = drawCropFlip(random, 4);
      lefts.add(left);
      tops.add(top);
      flips += flip ? 1 : 0;
    }
    assert.deepEqual(
      [...lefts].sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5, 6, 7, 8],
    );
    assert.deepEqual(
      [...tops].sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5, 6, 7, 8],
    );
    assert.ok(Math.abs(flips / 4000 - 0.5) < 0.04, `${flips} flips`);
  });
});
