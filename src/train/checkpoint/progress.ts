import { checkBatchIteratorState, type BatchIteratorState } from '../data/batch-iterator-state.js';
import * as v from 'valibot';
import { PREPROCESS_SPEC, type PreprocessSpec } from '../../preprocess/index.js';
import { INIT_KINDS, SCHEDULE_KINDS, type TrainingRecipe } from '../loop/recipe.js';
import {
  boundedArray,
  boundedString,
  finiteNumber,
  got,
  isRecord,
  oneOf,
  parseUntrusted,
  record,
  wholeNumber,
} from '../../schema/index.js';

/**
 * Where the training loop stands and what it trains with: the part of a checkpoint that is not tensors.
 *
 * @example
 * ```ts
 * import type { TrainingCheckpoint, TrainingProgress } from 'nin-sdk/train';
 * declare const checkpoint: TrainingCheckpoint;
 * const progress: TrainingProgress | undefined = checkpoint.progress;
 * console.log(progress?.recipe.epochs);
 * ```
 */
export interface TrainingProgress {
  readonly recipe: TrainingRecipe;
  /** The training data's position: epoch (from 0), images of it served, generator state. */
  readonly iterator: BatchIteratorState;
  /** Best test accuracy so far, in percent (null before the first evaluation, or without a test set). */
  readonly bestAccuracy: number | null;
  /** Class names by label index: the model's outputs. */
  readonly labels: readonly string[];
  /** How images become inputs; written into the exported ONNX's metadata. */
  readonly preprocessing: PreprocessSpec;
}

/** Class names a checkpoint may carry: ImageNet has 1000, far below these. */
const MAX_LABELS = 100_000;
const MAX_LABEL_LENGTH = 1024;

const RECIPE = record({
  schedule: oneOf(SCHEDULE_KINDS),
  epochs: wholeNumber(1),
  batchSize: wholeNumber(1),
  baseLr: v.pipe(finiteNumber('must be a positive number'), v.gtValue(0, got('must be a positive number'))),
  seed: wholeNumber(0),
  init: oneOf([...INIT_KINDS, 'from'] as const),
  augment: v.boolean(got('must be true or false')),
  labelSmoothing: v.optional(
    v.pipe(
      finiteNumber('must be a number in [0, 1)'),
      v.minValue(0, got('must be a number in [0, 1)')),
      v.ltValue(1, got('must be a number in [0, 1)')),
    ),
  ),
  logEvery: wholeNumber(1),
  startModelSha256: v.optional(
    v.pipe(
      v.string(got('must be 64 hexadecimal digits')),
      v.regex(/^[0-9a-f]{64}$/, got('must be 64 hexadecimal digits')),
    ),
  ),
  validation: v.optional(
    v.pipe(
      finiteNumber('must be a fraction in (0, 1)'),
      v.gtValue(0, got('must be a fraction in (0, 1)')),
      v.ltValue(1, got('must be a fraction in (0, 1)')),
    ),
  ),
});

const labelsText = `must be a non-empty array of at most ${MAX_LABELS} strings`;
const PROGRESS = record({
  recipe: RECIPE,
  // Checked by its own module below (checkBatchIteratorState), kept whole: its fields are the iterator's to name.
  iterator: v.pipe(
    v.unknown(),
    v.check((x) => isRecord(x) && typeof x['datasetCount'] === 'number', got('must be a batch iterator state')),
  ),
  bestAccuracy: v.nullable(finiteNumber('must be a finite number or null')),
  labels: v.pipe(
    boundedArray(boundedString(MAX_LABEL_LENGTH), MAX_LABELS, labelsText),
    v.minLength(1, got(labelsText)),
  ),
  preprocessing: PREPROCESS_SPEC,
});

/** Throws RangeError unless `value` (e.g. from JSON) is a TrainingProgress. */
export function checkTrainingProgress(value: unknown): TrainingProgress {
  const progress = parseUntrusted(PROGRESS, value, 'training progress');
  const iterator = progress.iterator as BatchIteratorState;
  checkBatchIteratorState(iterator, iterator.datasetCount);
  return { ...progress, iterator, preprocessing: progress.preprocessing as PreprocessSpec };
}
