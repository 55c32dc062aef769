import type { RandomState } from '../../numeric/index.js';

/**
 * Where a BatchIterator stands, in plain JSON-serialisable numbers: saved with a training checkpoint, it lets an
 * interrupted run continue with the very batches, crops, flips and Dropout masks it would have had.
 *
 * @example
 * ```ts
 * import type { BatchIteratorState, TrainingCheckpoint } from 'nin-sdk/train';
 * declare const checkpoint: TrainingCheckpoint;
 * const iterator: BatchIteratorState | undefined = checkpoint.progress?.iterator;
 * console.log(iterator?.epoch, iterator?.position);
 * ```
 */
export interface BatchIteratorState {
  /** The seed the iterator was created with: each epoch's order is derived from it and the epoch number. */
  readonly seed: number;
  /** The current epoch, counted from 0. */
  readonly epoch: number;
  /** Images of this epoch already served (a multiple of the batch size, 0 at the start of an epoch). */
  readonly position: number;
  /** State of the generator that draws crops, flips and Dropout masks. */
  readonly random: RandomState;
  /** Images in the dataset, to catch a resume on another dataset. */
  readonly datasetCount: number;
}

/** Throws RangeError unless `state` has the fields and ranges of a BatchIteratorState (as after JSON.parse). */
export function checkBatchIteratorState(state: BatchIteratorState, datasetCount: number): void {
  const wholeNumber = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) >= 0;
  if (typeof state !== 'object' || state === null) throw new RangeError('batch iterator state: expected an object');
  for (const field of ['seed', 'epoch', 'position', 'datasetCount'] as const) {
    if (!wholeNumber(state[field]))
      throw new RangeError(`batch iterator state: ${field} must be a whole number ≥ 0, got ${String(state[field])}`);
  }
  if (state.datasetCount !== datasetCount) {
    throw new RangeError(
      `batch iterator state: saved for a dataset of ${state.datasetCount} images, this one has ${datasetCount}`,
    );
  }
  if (state.position >= Math.max(datasetCount, 1)) {
    throw new RangeError(
      `batch iterator state: position ${state.position} is past the ${datasetCount} images of an epoch`,
    );
  }
}
