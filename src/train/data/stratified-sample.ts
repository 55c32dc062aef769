import { Random } from '../../numeric/index.js';

/**
 * Streams of the run's seed that draw subsets (the batch iterator takes stream 0 and 1 + epoch, initial weights
 * 0xfffffff0): far past any epoch count, and apart from each other, so that --limit's sample and --val's split are
 * independent of the data order and of each other.
 */
export const LIMIT_SAMPLE_STREAM = 0xfffffff1;
export const VALIDATION_SPLIT_STREAM = 0xfffffff2;

/**
 * How many of `total` items each class gets, in proportion to its size: ⌊total·nᵢ/N⌋, and the rest one each to the
 * classes with the largest remainders (ties to the earlier class), so the quotas sum to `total` exactly (largest
 * remainder method). A class of CIFAR-10's sorted tar thus gets its tenth of `--limit 500`, 50, not all or none.
 */
export function stratifiedQuotas(classSizes: readonly number[], total: number): number[] {
  const size = classSizes.reduce((a, b) => a + b, 0);
  if (!(Number.isInteger(total) && total >= 0 && total <= size))
    throw new RangeError(`stratifiedQuotas: total must be a whole number in [0, ${size}], got ${total}`);
  if (size === 0) return classSizes.map(() => 0);
  const exact = classSizes.map((n) => (total * n) / size);
  const quotas = exact.map(Math.floor);
  let left = total - quotas.reduce((a, b) => a + b, 0);
  const byRemainder = exact
    .map((value, index) => ({ index, remainder: value - Math.floor(value) }))
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  for (const { index } of byRemainder) {
    if (left === 0) break;
    if (quotas[index]! < classSizes[index]!) {
      quotas[index]! += 1;
      left -= 1;
    }
  }
  return quotas;
}

/**
 * Which items of each class are drawn: for class i, `quotas[i]` distinct positions among its `classSizes[i]` items
 * (in the order they were listed), chosen uniformly by a partial Fisher–Yates shuffle of the seeded generator,
 * class after class. Returned sorted, so that a reader can take the chosen items in one pass in listing order.
 */
export function drawFromClasses(
  classSizes: readonly number[],
  quotas: readonly number[],
  random: Random,
): Uint32Array[] {
  return classSizes.map((size, c) => {
    const take = quotas[c]!;
    if (take > size) throw new RangeError(`drawFromClasses: class ${c} has ${size} items, ${take} asked`);
    const order = new Uint32Array(size);
    for (let i = 0; i < size; i++) order[i] = i;
    for (let i = 0; i < take; i++) {
      const j = i + random.nextInt(size - i);
      const swap = order[i]!;
      order[i] = order[j]!;
      order[j] = swap;
    }
    return order.slice(0, take).sort();
  });
}

/**
 * A seeded, class-stratified sample of `total` items: each class's share in proportion to its size
 * (stratifiedQuotas), its items drawn uniformly (drawFromClasses) from stream `stream` of `seed`.
 */
export function stratifiedSample(
  classSizes: readonly number[],
  total: number,
  seed: number,
  stream: number,
): Uint32Array[] {
  return drawFromClasses(classSizes, stratifiedQuotas(classSizes, total), Random.fromSeed(seed, stream));
}
