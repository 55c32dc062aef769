import { datasetChannels, imageBytes, type ImageDataset } from './image-dataset.js';
import { stratifiedSample, VALIDATION_SPLIT_STREAM } from './stratified-sample.js';

/** Images per class, by class index. */
export function classCounts(dataset: Pick<ImageDataset, 'labels' | 'classNames'>): number[] {
  const counts = dataset.classNames.map(() => 0);
  for (const label of dataset.labels) counts[label]! += 1;
  return counts;
}

/** The images at `indices` (in that order), with the same classes. */
export function datasetSubset(dataset: ImageDataset, indices: ArrayLike<number>): ImageDataset {
  const bytes = imageBytes(dataset.imageSize, datasetChannels(dataset));
  const pixels = new Uint8Array(indices.length * bytes);
  const labels = new Uint16Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    pixels.set(dataset.pixels.subarray(i * bytes, (i + 1) * bytes), k * bytes);
    labels[k] = dataset.labels[i]!;
  }
  return { ...dataset, count: indices.length, pixels, labels };
}

/** A dataset split in two: the images trained on, and the ones held out to choose the best epoch. */
export interface ValidationSplit {
  readonly train: ImageDataset;
  readonly validation: ImageDataset;
}

/**
 * Holds out `fraction` of the images (rounded to a whole number, at least one), stratified by class and drawn with
 * `seed` (as --limit's sample is), so that the validation accuracy weighs the classes as the data does. Both parts
 * keep the dataset's order.
 */
export function stratifiedSplit(dataset: ImageDataset, fraction: number, seed: number): ValidationSplit {
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`validation fraction must be in (0, 1), got ${fraction}`);
  const held = Math.max(1, Math.round(fraction * dataset.count));
  if (held >= dataset.count)
    throw new RangeError(`a validation split of ${fraction} leaves none of the ${dataset.count} images to train on`);
  const members: number[][] = dataset.classNames.map(() => []);
  dataset.labels.forEach((label, i) => members[label]!.push(i));
  const drawn = stratifiedSample(
    members.map((m) => m.length),
    held,
    seed,
    VALIDATION_SPLIT_STREAM,
  );
  const isHeld = new Uint8Array(dataset.count);
  drawn.forEach((positions, c) => positions.forEach((p) => (isHeld[members[c]![p]!] = 1)));
  const trainIndices: number[] = [];
  const validationIndices: number[] = [];
  for (let i = 0; i < dataset.count; i++) (isHeld[i] === 1 ? validationIndices : trainIndices).push(i);
  return { train: datasetSubset(dataset, trainIndices), validation: datasetSubset(dataset, validationIndices) };
}
