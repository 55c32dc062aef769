import type { Provider } from '../runtime/index.js';
import type { ClassMaps } from './class-maps.js';

/**
 * One class's score in a classification's ranking.
 *
 * @example
 * ```ts
 * import type { Prediction } from 'nin-sdk';
 * const best: Prediction = { label: 'cat', index: 3, probability: 0.993 };
 * ```
 */
export interface Prediction {
  /** The class's name, from the model's labels. */
  readonly label: string;
  /** Class index in the model's output. */
  readonly index: number;
  /** Its softmax probability, 0 to 1. */
  readonly probability: number;
}

/**
 * What one image's classification gives: the most probable classes, most probable first, and the execution
 * provider that really computed them, so that a silent fallback from a GPU to the CPU shows in every result (and
 * survives `JSON.stringify`: it is a plain object).
 *
 * @example
 * ```ts
 * import { classify, type Predictions } from 'nin-sdk';
 * const result: Predictions = await classify('cat.jpg', { top: 3 });
 * console.log(result.top[0]?.label, result.provider);
 * ```
 */
export interface Predictions {
  /** The `top` most probable classes (at least one), most probable first; ties keep the lower index first. */
  readonly top: readonly Prediction[];
  /** The execution provider that computed them. */
  readonly provider: Provider;
  /** Every class's map and where its cells lie, when classify was asked for them (`{ maps: true }`). */
  readonly maps?: ClassMaps;
}

/** Softmax over one row, for models whose graph ends in logits (stable: the max is subtracted first). */
export function softmaxRow(logits: ArrayLike<number>): Float32Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  const out = new Float32Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += out[i] = Math.exp(logits[i]! - max);
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}

/** The `top` most probable classes of one row of probabilities; ties keep the lower index first. */
export function topK(
  probabilities: ArrayLike<number>,
  labels: readonly string[],
  top: number,
  provider: Provider,
): Predictions {
  return { top: rankClasses(probabilities, labels, top), provider };
}

/** topK without the provider: for scores computed elsewhere (a remote server). */
export function rankClasses(probabilities: ArrayLike<number>, labels: readonly string[], top: number): Prediction[] {
  const order = Array.from({ length: probabilities.length }, (_, i) => i);
  order.sort((a, b) => probabilities[b]! - probabilities[a]! || a - b);
  return order.slice(0, Math.max(1, Math.min(top, order.length))).map((index) => ({
    label: labels[index]!,
    index,
    probability: probabilities[index]!,
  }));
}
