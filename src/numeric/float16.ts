/**
 * 16-bit floats (IEEE 754 half precision and bfloat16) as bit patterns:
 * checkpoints are read with them (src/formats/pth) and ONNX initializers written
 * with them (src/graph). Node 20 and older browsers have neither Float16Array
 * nor Math.f16round, so the bits are handled by hand. A leaf module: it imports
 * nothing, so both sides can use it without depending on each other.
 */

const float32Scratch = new Float32Array(1);
const uint32Scratch = new Uint32Array(float32Scratch.buffer);

/** Rounds to nearest, ties to even, as numpy's `astype(float16)` and PyTorch's `.half()` do. */
export function float32ToFloat16Bits(value: number): number {
  float32Scratch[0] = value;
  const bits = uint32Scratch[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;

  if (exponent === 0xff) {
    // Inf stays Inf; NaN keeps a quiet-NaN payload bit so it stays NaN.
    return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);
  }
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    // Subnormal half (or zero): shift the mantissa, with its implicit 1, into place.
    if (halfExponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - halfExponent;
    const half = mantissa >>> shift;
    const remainder = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    const roundUp = remainder > halfway || (remainder === halfway && (half & 1) === 1);
    return sign | (half + (roundUp ? 1 : 0));
  }
  const half = (halfExponent << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (and reaches Inf at the top).
  const roundUp = remainder > 0x1000 || (remainder === 0x1000 && (half & 1) === 1);
  return sign | (half + (roundUp ? 1 : 0));
}

/**
 * Decoding goes through a table of all 65,536 patterns (built on first use,
 * 256 KiB): a checkpoint converts millions of them, and a lookup is several
 * times faster than computing each one. Every half is exact in a float32.
 */
let float16Table: Float32Array | undefined;

function buildFloat16Table(): Float32Array {
  const table = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) {
    const sign = bits & 0x8000 ? -1 : 1;
    const exponent = (bits >> 10) & 0x1f;
    const mantissa = bits & 0x3ff;
    if (exponent === 0)
      table[bits] = sign * mantissa * 2 ** -24; // zero and subnormals
    else if (exponent === 0x1f) table[bits] = mantissa === 0 ? sign * Infinity : NaN;
    else table[bits] = sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  }
  return table;
}

export function float16BitsToFloat32(bits: number): number {
  float16Table ??= buildFloat16Table();
  return float16Table[bits & 0xffff] ?? NaN;
}

export function float32ArrayToFloat16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = float32ToFloat16Bits(values[i]!);
  return out;
}

export function float16ArrayToFloat32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = float16BitsToFloat32(bits[i]!);
  return out;
}

const bfloat16Bits = new Uint32Array(1);
const bfloat16Value = new Float32Array(bfloat16Bits.buffer);

/** bfloat16 is the top half of a float32, so a shift decodes it. */
export function bfloat16BitsToFloat32(bits: number): number {
  bfloat16Bits[0] = (bits & 0xffff) << 16;
  return bfloat16Value[0] ?? NaN;
}
