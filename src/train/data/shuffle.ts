import type { Random } from '../../numeric/index.js';

/** The indices 0 … count − 1 in an order drawn from `random`: a Fisher–Yates shuffle, every order equally likely. */
export function shuffledIndices(count: number, random: Random): Uint32Array {
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  for (let i = count - 1; i > 0; i--) {
    const j = random.nextInt(i + 1);
    const swap = order[i]!;
    order[i] = order[j]!;
    order[j] = swap;
  }
  return order;
}
