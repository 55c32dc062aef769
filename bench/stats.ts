/** Median of a non-empty sample; the bench reports medians because the machine is shared and noisy. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of an empty sample');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function medianOf<T>(items: readonly T[], pick: (item: T) => number): number {
  return median(items.map(pick));
}
