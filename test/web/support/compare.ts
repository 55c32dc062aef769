import type { PreprocessSpec } from '../../../src/preprocess/spec.js';

/** The largest difference between two preprocessed tensors, in 0–255 levels of the decoded pixels. */
export function maxLevelDifference(a: Float32Array, b: Float32Array, spec: PreprocessSpec): number {
  if (a.length !== b.length) throw new Error(`tensor lengths differ: ${a.length} vs ${b.length}`);
  const plane = a.length / 3;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    // tensor = (v · scale − mean) / std, so a tensor difference d is d · std / scale levels.
    const levels = (Math.abs(a[i]! - b[i]!) * spec.std[Math.floor(i / plane)]!) / spec.scale;
    max = Math.max(max, levels);
  }
  return max;
}

/** Row `i` of an [n × classes] array. */
export function row(values: Float32Array, i: number, classes: number): Float32Array {
  return values.subarray(i * classes, (i + 1) * classes);
}
