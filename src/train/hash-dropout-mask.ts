/**
 * Dropout keep-masks (1 keeps, 0 drops) from a counter-based hash: element i of the mask for key
 * (seed, step, layer …) is a pure function of those numbers, so a mask can be
 * remade at any step (resuming training loses nothing) and the same masks can
 * be made in Python (fixtures/make_training_fixtures.py has the twin of this
 * code) to compare with PyTorch.
 *
 * The hash is Chris Wellons' "lowbias32", a bijection on 32-bit integers with
 * good avalanche; applied twice, keyed by the mixed key parts. Stateless,
 * unlike a stream generator: what the PyTorch fixtures need, and an option
 * for a training loop that wants masks independent of the order of draws.
 */
export function hashDropoutMask(length: number, p: number, key: readonly number[]): Float32Array {
  if (!(p >= 0 && p < 1)) throw new Error(`hashDropoutMask: p must be in [0, 1), got ${p}`);
  if (!Number.isSafeInteger(length) || length < 0)
    throw new Error(`hashDropoutMask: length must be a non-negative integer, got ${length}`);
  const streamKey = mixKey(key);
  // Drop when the 32-bit hash is below p·2³²: probability p up to 2⁻³².
  const threshold = Math.round(p * 2 ** 32);
  const mask = new Float32Array(length);
  for (let i = 0; i < length; i++) mask[i] = lowbias32((lowbias32(i >>> 0) ^ streamKey) >>> 0) >= threshold ? 1 : 0;
  return mask;
}

/** Folds the key parts (each an unsigned 32-bit integer) into one 32-bit key. */
export function mixKey(key: readonly number[]): number {
  let k = 0x9e3779b9;
  for (const part of key) {
    if (!Number.isInteger(part) || part < 0 || part > 0xffffffff)
      throw new Error(`hashDropoutMask: key parts must be uint32, got ${part}`);
    k = lowbias32((k ^ part) >>> 0);
  }
  return k;
}

export function lowbias32(value: number): number {
  let x = value >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}
