import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bfloat16BitsToFloat32,
  float16ArrayToFloat32,
  float16BitsToFloat32,
  float32ToFloat16Bits,
} from '../../src/numeric/float16.js';

describe('16-bit float conversion', () => {
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
      [2 ** -24, 0x0001], // smallest subnormal
      [2 ** -25, 0x0000], // half of it: tie to even → 0
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

  it('decodes known patterns: zeros, subnormals, the largest half, Inf and NaN', () => {
    const cases: [number, number][] = [
      [0x0000, 0],
      [0x8000, -0],
      [0x0001, 2 ** -24], // smallest subnormal
      [0x03ff, 1023 * 2 ** -24], // largest subnormal
      [0x0400, 2 ** -14], // smallest normal
      [0x3c00, 1],
      [0xc000, -2],
      [0x2e66, 0.0999755859375],
      [0x7bff, 65504],
      [0x7c00, Infinity],
      [0xfc00, -Infinity],
    ];
    for (const [bits, value] of cases)
      assert.ok(Object.is(float16BitsToFloat32(bits), value), `decode 0x${bits.toString(16)}`);
    for (const nan of [0x7c01, 0x7e00, 0xffff])
      assert.ok(Number.isNaN(float16BitsToFloat32(nan)), `decode 0x${nan.toString(16)}`);
    assert.deepEqual(Array.from(float16ArrayToFloat32(Uint16Array.of(0x3c00, 0x0001, 0xfc00))), [
      1,
      2 ** -24,
      -Infinity,
    ]);
  });

  it('decodes bfloat16 as the top half of a float32', () => {
    const cases: [number, number][] = [
      [0x3f80, 1],
      [0xc000, -2],
      [0x8000, -0],
      [0x0001, 2 ** -133], // smallest subnormal
      [0x7f7f, 3.3895313892515355e38], // largest finite
      [0x7f80, Infinity],
      [0xff80, -Infinity],
    ];
    for (const [bits, value] of cases)
      assert.ok(Object.is(bfloat16BitsToFloat32(bits), value), `decode 0x${bits.toString(16)}`);
    assert.ok(Number.isNaN(bfloat16BitsToFloat32(0x7fc0)));
  });
});
