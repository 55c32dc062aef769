import type { Random } from '../../numeric/index.js';

/** Bits of a 32-bit draw given to each mask value when p is a multiple of 2^-bits (see dropoutMask). */
const CHUNK_BITS = [1, 2, 4, 8, 16] as const;

/** The bit pattern of the float32 1.0, so that a value is stored without an int-to-float conversion. */
const FLOAT32_ONE_BITS = 0x3f800000;

/**
 * A Dropout keep-mask: `count` values, each 1 with probability 1 − p and 0 with probability p, as
 * `torch.nn.Dropout(p)` draws them (p is the probability of dropping). The training graph takes it as an input and
 * computes `x · mask / (1 − p)`, so masks stay plain 0/1 and the same mask can be fed to PyTorch for parity checks.
 *
 * A batch of the full-width CIFAR-10 NIN needs 4.7 million mask values, a draw for each a visible part of a
 * step. When p is a multiple of 2^-k for a small k (the family's p = 0.5 is 2^-1), a k-bit slice of a draw decides a
 * value with exactly probability p, as a whole draw does, so one draw serves 32 / k values (timings:
 * docs/benchmarks.md).
 */
export function dropoutMask(random: Random, count: number, p: number): Float32Array {
  if (!(p >= 0 && p < 1)) throw new RangeError(`dropoutMask: p must be in [0, 1), got ${p}`);
  if (!Number.isInteger(count) || count < 0)
    throw new RangeError(`dropoutMask: count must be a whole number ≥ 0, got ${count}`);
  const mask = new Float32Array(count);
  const bits = CHUNK_BITS.find((k) => Number.isInteger(p * 2 ** k));
  if (bits === undefined) {
    // nextFloat() >= p, compared as integers: the same outcome without a division per value.
    const dropBelow = Math.ceil(p * 2 ** 32);
    for (let i = 0; i < count; i++) mask[i] = random.nextUint32() >= dropBelow ? 1 : 0;
    return mask;
  }
  const words = new Uint32Array(mask.buffer);
  // Small integers (`| 0`, shifts) keep V8 on its int32 path in the loop.
  const dropBelow = (p * (1 << bits)) | 0;
  const valueMask = (1 << bits) - 1;
  const perDraw = (32 / bits) | 0;
  for (let start = 0; start < count; start += perDraw) {
    // Lowest bits first; the unused high bits of the last draw are discarded.
    const draw = random.nextUint32();
    const end = Math.min(count, start + perDraw);
    for (let i = start, shift = 0; i < end; i++, shift += bits) {
      // value ≥ dropBelow, branch-free (the sign bit of dropBelow − 1 − value): a branch on random bits is
      // mispredicted half the time, which cost more than everything else here.
      words[i] = ((dropBelow - 1 - ((draw >>> shift) & valueMask)) >> 31) & FLOAT32_ONE_BITS;
    }
  }
  return mask;
}
