/**
 * The one source of randomness of training data: shuffling, augmentation and Dropout masks. A seeded generator,
 * so that a run can be repeated, and one whose whole state is four numbers, so that an interrupted run resumes
 * exactly where it stopped (Math.random can do neither).
 *
 * xoshiro128** 1.1 (Blackman and Vigna, https://prng.di.unimi.it/xoshiro128starstar.c): 128 bits of state,
 * period 2^128 − 1, passes BigCrush, and needs only 32-bit integer operations, which JavaScript does exactly
 * (Math.imul, >>>). Seeds are spread into the state by splitmix32, as the authors advise, so that nearby seeds
 * give unrelated streams and no seed gives the forbidden all-zero state.
 */

/**
 * The generator's complete state: four unsigned 32-bit integers, not all zero. JSON-serialisable.
 *
 * @example
 * ```ts
 * import type { RandomState, TrainingCheckpoint } from 'nin-sdk/train';
 * declare const checkpoint: TrainingCheckpoint;
 * const state: RandomState | undefined = checkpoint.progress?.iterator.random;
 * console.log(JSON.stringify(state));
 * ```
 */
export type RandomState = readonly [number, number, number, number];

const TWO_POW_32 = 2 ** 32;

export class Random {
  /**
   * s0…s3 in a typed array: values past 2^31 would be boxed as heap numbers in plain properties, one allocation
   * per draw (measured: 70 ns a draw instead of a few).
   */
  private readonly s: Uint32Array;

  private constructor(state: RandomState) {
    this.s = Uint32Array.from(state);
  }

  /**
   * A generator for `seed` and, optionally, further integers naming a sub-stream (an epoch number, a purpose), so
   * that independent streams come from one user seed. Each is a whole number in [0, 2^32).
   */
  static fromSeed(seed: number, ...stream: number[]): Random {
    let mixer = 0;
    for (const word of [seed, ...stream]) {
      if (!Number.isInteger(word) || word < 0 || word >= TWO_POW_32) {
        throw new RangeError(`Random.fromSeed: seeds must be whole numbers in [0, 2^32), got ${word}`);
      }
      mixer = splitmix32(mixer ^ word).value;
    }
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      const step = splitmix32(mixer);
      mixer = step.next;
      words.push(step.value);
    }
    // splitmix32's output is a bijection of its counter, so at most one of four consecutive outputs is 0: the
    // state is never the all-zero one xoshiro cannot leave.
    return new Random([words[0]!, words[1]!, words[2]!, words[3]!]);
  }

  /** A generator that continues from a state read from `.state` (possibly after a JSON round trip). */
  static fromState(state: RandomState): Random {
    if (
      !Array.isArray(state) ||
      state.length !== 4 ||
      !state.every((w) => Number.isInteger(w) && w >= 0 && w < TWO_POW_32)
    ) {
      throw new RangeError(`Random.fromState: expected four unsigned 32-bit integers, got ${JSON.stringify(state)}`);
    }
    if (state.every((w) => w === 0))
      throw new RangeError('Random.fromState: the all-zero state is not a xoshiro128** state');
    return new Random([state[0], state[1], state[2], state[3]]);
  }

  /** The current state: a generator made from it produces what this one produces next. */
  get state(): RandomState {
    const s = this.s;
    return [s[0]!, s[1]!, s[2]!, s[3]!];
  }

  /** The next unsigned 32-bit integer. */
  nextUint32(): number {
    const s = this.s;
    const s0 = s[0]!;
    const s1 = s[1]!;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    const s2 = s[2]! ^ s0;
    const s3 = s[3]! ^ s1;
    s[0] = s0 ^ s3;
    s[1] = s1 ^ s2;
    s[2] = s2 ^ t;
    s[3] = rotl(s3, 11);
    return result;
  }

  /** A float in [0, 1), a multiple of 2^-32. */
  nextFloat(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /**
   * A whole number in [0, bound), every value equally likely: `x mod bound` of a 32-bit draw, drawing again when x
   * falls in the incomplete last run of `bound` values, which would favour the small results (the method of
   * OpenBSD's arc4random_uniform). Exact in doubles, since nothing exceeds 2^32.
   */
  nextInt(bound: number): number {
    if (!Number.isInteger(bound) || bound < 1 || bound > TWO_POW_32) {
      throw new RangeError(`Random.nextInt: bound must be a whole number in [1, 2^32], got ${bound}`);
    }
    const limit = TWO_POW_32 - (TWO_POW_32 % bound);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % bound;
    }
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** One step of splitmix32: the next counter and its mixed output (the finaliser of MurmurHash3). */
function splitmix32(counter: number): { next: number; value: number } {
  const next = (counter + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return { next, value: (z ^ (z >>> 16)) >>> 0 };
}
