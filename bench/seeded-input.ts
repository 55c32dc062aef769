/**
 * A reproducible input batch (mulberry32), uniform in [low, high): both models of a comparison get the very same
 * numbers, and every run of the bench too.
 */
export function seededBatch(elementCount: number, seed: number, low: number, high: number): Float32Array {
  const out = new Float32Array(elementCount);
  let state = seed >>> 0;
  for (let i = 0; i < elementCount; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = low + (high - low) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}
