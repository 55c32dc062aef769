import { classCounts } from './subset.js';
import type { ImageDataset } from './image-dataset.js';

/** Above this ratio of the largest class to the smallest, a run is warned that its classes are unbalanced. */
export const IMBALANCE_RATIO = 3;

/** How many of a thing, in words: "1 class", "10 classes", "1 image". */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}

/** At most five names, then an ellipsis. */
export function describeNames(names: readonly string[]): string {
  return names.length > 5 ? `${names.slice(0, 5).join(', ')}, …` : names.join(', ');
}

/**
 * What a dataset's class counts say about the classifier trained on it (see classBalance).
 *
 * @example
 * ```ts
 * import type { ClassBalance } from 'nin-sdk/web';
 * declare const balance: ClassBalance;
 * console.log(balance.summary);
 * if (balance.imbalance !== undefined) console.warn(balance.imbalance);
 * ```
 */
export interface ClassBalance {
  /** Images per class, by class index. */
  readonly counts: readonly number[];
  /** `<role> images by class: airplane 50, …` (the first 20 classes). */
  readonly summary: string;
  /** A warning (`warning: …`) naming the labels without images: the model learns never to say them. */
  readonly emptyLabels: string | undefined;
  /** A warning when the largest class has more than IMBALANCE_RATIO× the images of the smallest. */
  readonly imbalance: string | undefined;
  /**
   * When every image is of one class: why a classifier of it is refused (it can only ever say that class), ending
   * in the remedy `give images of more classes`; the caller adds how to ask for it anyway. Undefined otherwise.
   */
  readonly oneClass: string | undefined;
}

/**
 * The class counts of `dataset` and what makes a poor classifier of them: labels without images (the model learns
 * never to say them), classes far apart in size (the model leans to the largest), and data of one class. The CLI
 * and nin-sdk/web's fineTune say the same words.
 */
export function classBalance(dataset: Pick<ImageDataset, 'labels' | 'classNames'>, role: string): ClassBalance {
  const counts = classCounts(dataset);
  const shown = dataset.classNames.map((name, i) => `${name} ${counts[i]}`);
  const summary = `${role} images by class: ${shown.length > 20 ? `${shown.slice(0, 20).join(', ')}, …` : shown.join(', ')}`;
  const empty = dataset.classNames.filter((_, i) => counts[i] === 0);
  const emptyLabels =
    empty.length === 0
      ? undefined
      : `warning: ${plural(empty.length, 'label')} of ${dataset.classNames.length} ${empty.length === 1 ? 'has' : 'have'} ` +
        `no ${role} images (${describeNames(empty)}): the model learns never to say ${empty.length === 1 ? 'it' : 'them'}`;
  const present = counts.filter((c) => c > 0);
  let oneClass: string | undefined;
  if (present.length === 1) {
    const only = dataset.classNames[counts.findIndex((c) => c > 0)]!;
    oneClass =
      `the ${role} images are all of one class (${only}): a classifier trained on them can only ever say ${only}; ` +
      'give images of more classes';
  }
  const largest = Math.max(...present);
  const smallest = Math.min(...present);
  let imbalance: string | undefined;
  if (largest > IMBALANCE_RATIO * smallest) {
    const name = (count: number): string => dataset.classNames[counts.indexOf(count)]!;
    imbalance =
      `warning: the largest class has ${(largest / smallest).toFixed(1)}× the images of the smallest ` +
      `(${name(largest)} ${largest}, ${name(smallest)} ${smallest}): the model will lean towards the larger classes`;
  }
  return { counts, summary, emptyLabels, oneClass, imbalance };
}
