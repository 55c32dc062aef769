import { checkBatchIteratorState, type BatchIteratorState } from '../data/batch-iterator-state.js';
import { checkPreprocessSpec, type PreprocessSpec } from '../../preprocess/index.js';
import { INIT_KINDS, SCHEDULE_KINDS, type TrainingRecipe } from '../loop/recipe.js';
import { isRecord } from '../../guards.js';

/** Where the training loop stands and what it trains with: the part of a checkpoint that is not tensors. */
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

/** Throws RangeError unless `value` (e.g. from JSON) is a TrainingProgress. */
export function checkTrainingProgress(value: unknown): TrainingProgress {
  if (!isRecord(value)) throw new RangeError('training progress: expected an object');
  const { recipe, iterator, bestAccuracy, labels, preprocessing } = value;
  if (!isRecord(iterator) || typeof iterator['datasetCount'] !== 'number')
    throw new RangeError('training progress: iterator must be a batch iterator state');
  checkBatchIteratorState(iterator as unknown as BatchIteratorState, iterator['datasetCount']);
  if (bestAccuracy !== null && (typeof bestAccuracy !== 'number' || !Number.isFinite(bestAccuracy))) {
    throw new RangeError('training progress: bestAccuracy must be a number or null');
  }
  if (!Array.isArray(labels) || labels.length === 0 || !labels.every((l) => typeof l === 'string')) {
    throw new RangeError('training progress: labels must be a non-empty array of strings');
  }
  checkPreprocessSpec(preprocessing as PreprocessSpec);
  return {
    recipe: checkRecipe(recipe),
    iterator: iterator as unknown as BatchIteratorState,
    bestAccuracy,
    labels: labels as string[],
    preprocessing: preprocessing as PreprocessSpec,
  };
}

function checkRecipe(value: unknown): TrainingRecipe {
  if (!isRecord(value)) throw new RangeError('training progress: recipe must be an object');
  const whole = (key: string, min: number): number => {
    const v = value[key];
    if (!Number.isSafeInteger(v) || (v as number) < min)
      throw new RangeError(`training recipe: ${key} must be a whole number ≥ ${min}, got ${String(v)}`);
    return v as number;
  };
  const { schedule, init, augment, baseLr, startModelSha256, validation } = value;
  if (validation !== undefined && !(typeof validation === 'number' && validation > 0 && validation < 1))
    throw new RangeError('training recipe: validation must be a fraction in (0, 1)');
  if (!(SCHEDULE_KINDS as readonly unknown[]).includes(schedule))
    throw new RangeError(`training recipe: schedule should be one of ${SCHEDULE_KINDS.join(', ')}`);
  if (init !== 'from' && !(INIT_KINDS as readonly unknown[]).includes(init))
    throw new RangeError(`training recipe: init should be one of ${INIT_KINDS.join(', ')}, from`);
  if (typeof augment !== 'boolean') throw new RangeError('training recipe: augment must be true or false');
  if (typeof baseLr !== 'number' || !(baseLr > 0))
    throw new RangeError('training recipe: baseLr must be a positive number');
  if (
    startModelSha256 !== undefined &&
    (typeof startModelSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(startModelSha256))
  ) {
    throw new RangeError('training recipe: startModelSha256 must be 64 hexadecimal digits');
  }
  return {
    schedule: schedule as TrainingRecipe['schedule'],
    epochs: whole('epochs', 1),
    batchSize: whole('batchSize', 1),
    baseLr,
    seed: whole('seed', 0),
    init: init as TrainingRecipe['init'],
    augment,
    logEvery: whole('logEvery', 1),
    ...(startModelSha256 === undefined ? {} : { startModelSha256 }),
    ...(validation === undefined ? {} : { validation }),
  };
}
