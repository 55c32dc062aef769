/** The learning-rate schedules of nin-sdk train (--schedule), step by step on a run of 3 epochs of 5 batches. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { learningRateScale, type ScheduleKind } from '../../src/train/loop/recipe.js';

const BATCHES = 5;

/** The scale of every step of a 3-epoch run, in order. */
function scales(schedule: ScheduleKind, epochs = 3): number[] {
  return Array.from({ length: epochs * BATCHES }, (_, step) =>
    learningRateScale({ schedule, epochs }, Math.floor(step / BATCHES) + 1, step % BATCHES, BATCHES),
  );
}

const rounded = (values: number[]): number[] => values.map((v) => Math.round(v * 1e6) / 1e6);

describe('learning-rate schedules', () => {
  it("step: the recipe's ×0.1 from epoch 80 on", () => {
    assert.equal(learningRateScale({ schedule: 'step', epochs: 319 }, 79, 0, BATCHES), 1);
    assert.equal(learningRateScale({ schedule: 'step', epochs: 319 }, 80, 0, BATCHES), 0.1);
    assert.equal(learningRateScale({ schedule: 'step', epochs: 319 }, 160, 3, BATCHES), 0.1 ** 2);
  });

  it('linear: one epoch of warm-up, then a straight line to 0 at the end', () => {
    assert.deepEqual(
      rounded(scales('linear')),
      [0.2, 0.4, 0.6, 0.8, 1, 1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1],
    );
    assert.deepEqual(rounded(scales('linear', 1)), [0.2, 0.4, 0.6, 0.8, 1]);
  });

  it('cosine: the same warm-up, then a half cosine from 1 towards 0', () => {
    const half = (k: number): number => 0.5 * (1 + Math.cos((Math.PI * k) / 10));
    assert.deepEqual(
      rounded(scales('cosine')),
      rounded([0.2, 0.4, 0.6, 0.8, 1, ...Array.from({ length: 10 }, (_, k) => half(k))]),
    );
    assert.equal(scales('cosine')[10], 0.5);
  });
});
