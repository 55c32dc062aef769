/**
 * 16-bit float patterns to numbers. float16 goes through a table (built on
 * first use, 256 KiB) because a checkpoint converts millions of them;
 * bfloat16 is the top half of a float32, so a shift does it.
 */

let float16Table: Float32Array | undefined;

function buildFloat16Table(): Float32Array {
  const table = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) {
    const sign = bits & 0x8000 ? -1 : 1;
    const exponent = (bits >> 10) & 0x1f;
    const fraction = bits & 0x3ff;
    if (exponent === 0) table[bits] = sign * 2 ** -14 * (fraction / 1024);
    else if (exponent === 0x1f) table[bits] = fraction === 0 ? sign * Infinity : NaN;
    else table[bits] = sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
  }
  return table;
}

export function float16ToNumber(bits: number): number {
  float16Table ??= buildFloat16Table();
  return float16Table[bits & 0xffff] ?? NaN;
}

const bfloat16Bits = new Uint32Array(1);
const bfloat16Value = new Float32Array(bfloat16Bits.buffer);

export function bfloat16ToNumber(bits: number): number {
  bfloat16Bits[0] = (bits & 0xffff) << 16;
  return bfloat16Value[0] ?? NaN;
}
