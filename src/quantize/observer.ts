import type { ValueRange } from './parameters.js';

/** Min/max calibration: the range of each observed tensor over every calibration image. */
export class MinMaxObserver {
  private readonly ranges = new Map<string, { min: number; max: number }>();

  constructor(readonly names: readonly string[]) {
    for (const name of names) this.ranges.set(name, { min: Infinity, max: -Infinity });
  }

  /** Folds in one run's value of tensor `name`. NaN is refused: a range that hid it would be silently wrong. */
  observe(name: string, values: ArrayLike<number>): void {
    const range = this.ranges.get(name);
    if (range === undefined) throw new Error(`MinMaxObserver: ${name} is not an observed tensor`);
    let { min, max } = range;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
      else if (Number.isNaN(v)) throw new Error(`calibration: ${name} took the value NaN`);
    }
    range.min = min;
    range.max = max;
  }

  result(): ReadonlyMap<string, ValueRange> {
    return new Map([...this.ranges].map(([name, r]) => [name, { min: r.min, max: r.max }]));
  }
}
