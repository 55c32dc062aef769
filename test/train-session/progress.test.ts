/**
 * The training progress a checkpoint carries, as read back from its JSON: the start model's SHA-256 (what lets a
 * resume accept the same --from) survives the round trip, and a malformed one is refused by name.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeValue } from '../../src/schema/untrusted.js';
import { checkTrainingProgress } from '../../src/train/checkpoint/progress.js';
import { initialProgress } from '../../src/train/loop/trainer.js';
import { type TrainingRecipe } from '../../src/train/loop/recipe.js';
import { CIFAR_SPEC, syntheticCifar } from './helpers.js';

const train = syntheticCifar(20, 3);
const recipe: TrainingRecipe = {
  schedule: 'linear',
  epochs: 2,
  batchSize: 8,
  baseLr: 0.01,
  seed: 1,
  init: 'from',
  augment: true,
  logEvery: 100,
};
const SHA256 = 'a9208c806f345d3c9e381687eb9ae7482a9fcf50d87c2e95170f25aafc6a6d2f';

function throughJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

describe('checkTrainingProgress', () => {
  it('keeps the start model SHA-256, and leaves it out where the run did not record one', () => {
    const recorded = initialProgress({ ...recipe, startModelSha256: SHA256 }, train, train.classNames, CIFAR_SPEC);
    assert.deepEqual(checkTrainingProgress(throughJson(recorded)), recorded);
    const older = initialProgress(recipe, train, train.classNames, CIFAR_SPEC);
    const read = checkTrainingProgress(throughJson(older));
    assert.deepEqual(read, older);
    assert.equal('startModelSha256' in read.recipe, false);
  });

  it('refuses a start model SHA-256 that is not 64 hexadecimal digits, by its path', () => {
    assert.equal(describeValue(SHA256.slice(1)), `"${SHA256.slice(1, 40)}…`);
    assert.equal(describeValue(null), 'null');
    for (const bad of [SHA256.slice(1), SHA256.toUpperCase(), 42, null]) {
      const progress = throughJson(initialProgress(recipe, train, train.classNames, CIFAR_SPEC)) as {
        recipe: Record<string, unknown>;
      };
      progress.recipe['startModelSha256'] = bad;
      assert.throws(() => checkTrainingProgress(progress), {
        name: 'RangeError',
        message: `training progress: recipe.startModelSha256 must be 64 hexadecimal digits, got ${describeValue(bad)}`,
      });
    }
  });
});
