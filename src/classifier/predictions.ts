import type { Provider } from '../runtime/providers.js';
import type { ClassMaps } from './class-maps.js';

/** One class's score, ranked: a prediction before it says where it was computed (a server's answer, say). */
export interface RankedClass {
  readonly label: string;
  /** Class index in the model's output. */
  readonly index: number;
  readonly probability: number;
}

export interface Prediction extends RankedClass {
  /**
   * The execution provider that computed it, as on the array: a plain property, so that it survives
   * `JSON.stringify` (which keeps only an array's elements).
   */
  readonly provider: Provider;
}

/**
 * Top-k predictions, most probable first. The array also says which execution provider really computed it,
 * so a silent fallback from GPU to CPU is visible in every result.
 */
export type Predictions = readonly Prediction[] & {
  readonly provider: Provider;
  /** Every class's map and where its cells lie, when classify was asked for them (`{ maps: true }`). */
  readonly maps?: ClassMaps;
};

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
  const predictions = rankClasses(probabilities, labels, top).map((ranked): Prediction => ({ ...ranked, provider }));
  return Object.assign(predictions, { provider });
}

/** topK without the provider: for scores computed elsewhere (a remote server). */
export function rankClasses(probabilities: ArrayLike<number>, labels: readonly string[], top: number): RankedClass[] {
  const order = Array.from({ length: probabilities.length }, (_, i) => i);
  order.sort((a, b) => probabilities[b]! - probabilities[a]! || a - b);
  return order.slice(0, Math.max(1, Math.min(top, order.length))).map((index) => ({
    label: labels[index]!,
    index,
    probability: probabilities[index]!,
  }));
}
