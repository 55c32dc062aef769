import type { Random } from './random.js';

/**
 * A Dropout keep-mask: `count` values, each 1 with probability 1 − p and 0 with probability p, as
 * `torch.nn.Dropout(p)` draws them (p is the probability of dropping). The training graph takes it as an input and
 * computes `x · mask / (1 − p)`, so masks stay plain 0/1 and the same mask can be fed to PyTorch for parity checks.
 */
export function dropoutMask(random: Random, count: number, p: number): Float32Array {
  if (!(p >= 0 && p < 1)) throw new RangeError(`dropoutMask: p must be in [0, 1), got ${p}`);
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`dropoutMask: count must be a whole number ≥ 0, got ${count}`);
  const mask = new Float32Array(count);
  // nextFloat() >= p, compared as integers: the same outcome without a division per value.
  const dropBelow = Math.ceil(p * 2 ** 32);
  for (let i = 0; i < count; i++) mask[i] = random.nextUint32() >= dropBelow ? 1 : 0;
  return mask;
}
