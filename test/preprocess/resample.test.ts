import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resizeBilinear } from '../../src/preprocess/resample.js';
import { manifest } from './reference.js';

describe('resizeBilinear against Pillow 9.4 Image.resize(BILINEAR)', () => {
  for (const c of manifest.resample) {
    it(`${c.width}×${c.height}×${c.channels} → ${c.newWidth}×${c.newHeight} byte for byte`, () => {
      const pixels = { data: Uint8Array.from(c.data), width: c.width, height: c.height, channels: c.channels };
      const out = resizeBilinear(pixels, c.newWidth, c.newHeight);
      assert.deepEqual(
        { width: out.width, height: out.height, channels: out.channels },
        { width: c.newWidth, height: c.newHeight, channels: c.channels },
      );
      assert.deepEqual(Array.from(out.data), c.expected);
    });
  }

  it('keeps a uniform image uniform when shrinking and enlarging', () => {
    const grey = { data: new Uint8Array(50 * 30).fill(137), width: 50, height: 30, channels: 1 };
    for (const [w, h] of [
      [7, 3],
      [200, 120],
      [50, 31],
    ] as const) {
      assert.ok(
        resizeBilinear(grey, w, h).data.every((v) => v === 137),
        `${w}×${h}`,
      );
    }
  });

  it('copies when the size does not change (Pillow does not resample then)', () => {
    const pixels = { data: Uint8Array.from([1, 2, 3, 4, 5, 6]), width: 2, height: 1, channels: 3 };
    const out = resizeBilinear(pixels, 2, 1);
    assert.deepEqual(Array.from(out.data), [1, 2, 3, 4, 5, 6]);
    assert.notEqual(out.data, pixels.data);
  });

  it('refuses a target size that is not a positive integer', () => {
    const pixels = { data: new Uint8Array(3), width: 1, height: 1, channels: 3 };
    assert.throws(() => resizeBilinear(pixels, 0, 4), {
      name: 'RangeError',
      message: 'resizeBilinear: target size must be positive integers, got 0×4',
    });
  });
});
