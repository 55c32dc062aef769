import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { float16BitsToFloat32, float32ToFloat16Bits } from '../../src/graph/index.js';

describe('float16 conversion', () => {
  it('encodes known values (numpy float16 bit patterns)', () => {
    const cases: [number, number][] = [
      [0, 0x0000],
      [-0, 0x8000],
      [1, 0x3c00],
      [-2, 0xc000],
      [0.1, 0x2e66],
      [65504, 0x7bff],
      [65520, 0x7c00], // rounds up to Inf, as numpy does
      [6.103515625e-5, 0x0400], // smallest normal
      [5.960464477539063e-8, 0x0001], // smallest subnormal
      [2.9802322387695312e-8, 0x0000], // half of it: tie to even → 0
      [Infinity, 0x7c00],
      [-Infinity, 0xfc00],
      [1 + 2 ** -11, 0x3c00], // tie between 1 and the next half: even (1)
      [1 + 3 * 2 ** -11, 0x3c02], // tie: rounds to even mantissa 2
    ];
    for (const [value, bits] of cases) assert.equal(float32ToFloat16Bits(value), bits, `encode ${value}`);
    assert.equal(float32ToFloat16Bits(NaN) & 0x7e00, 0x7e00);
  });

  it('round-trips every finite half exactly', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      if ((bits & 0x7c00) === 0x7c00) continue;
      assert.equal(float32ToFloat16Bits(float16BitsToFloat32(bits)), bits);
    }
  });
});
