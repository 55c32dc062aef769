/**
 * The training model as replicas in worker threads, each on a share of the batch (openNodeTrainingSession, what
 * `nin-sdk train` runs on a CPU with more than one thread): the same loss and update as one session, up to float
 * rounding; BatchNorm models kept whole.
 */
import '../support/inference-workers.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import type { TrainingSession } from '../../src/train/index.js';
import { openNodeTrainingSession } from '../../src/train/node/index.js';
import { batchShares, openReplicatedTrainModel } from '../../src/train/node/replicated-train-model.js';
import { TrainingSessionImpl } from '../../src/train/training-session-impl.js';
import { sessionOptions, syntheticBatch, tinyBatchNormCheckpoint, tinyCheckpoint } from './helpers.js';

const options = { ort, platform: 'node' as const };

/** One SGD step on `batch`: the loss, and the parameters after it. */
async function oneStep(session: TrainingSession, batch: number): Promise<{ loss: number; after: Float32Array }> {
  try {
    await session.lazyResetGrad();
    const loss = await session.runTrainStep(syntheticBatch(batch, 4));
    await session.runOptimizerStep();
    return { loss, after: (await session.getContiguousParameters()).data as Float32Array };
  } finally {
    await session.release();
  }
}

describe('batchShares', () => {
  it('splits a batch into contiguous shares as equal as can be, the larger first, none empty', () => {
    assert.deepEqual(batchShares(128, 2), [
      { start: 0, count: 64 },
      { start: 64, count: 64 },
    ]);
    assert.deepEqual(batchShares(5, 2), [
      { start: 0, count: 3 },
      { start: 3, count: 2 },
    ]);
    assert.deepEqual(batchShares(7, 3), [
      { start: 0, count: 3 },
      { start: 3, count: 2 },
      { start: 5, count: 2 },
    ]);
    assert.deepEqual(batchShares(1, 2), [{ start: 0, count: 1 }]);
    assert.deepEqual(batchShares(3, 4), [
      { start: 0, count: 1 },
      { start: 1, count: 1 },
      { start: 2, count: 1 },
    ]);
  });
});

describe('the training model as replicas in worker threads', () => {
  it('gives one session’s loss and update, up to float rounding, on shares of unequal size (3 and 2 of 5)', async () => {
    const before = tinyCheckpoint('sgd', 7);
    const single = await oneStep(await TrainingSessionImpl.fromCheckpoint(before, sessionOptions), 5);
    const opened = await openNodeTrainingSession(before, options, 2);
    assert.equal(opened.replicas, 2);
    const replicated = await oneStep(opened.session, 5);

    assert.ok(
      Math.abs(replicated.loss - single.loss) <= 1e-6 * Math.abs(single.loss),
      `${replicated.loss} vs ${single.loss}`,
    );
    const start = before.parameters;
    let largestUpdate = 0;
    let largestDifference = 0;
    for (let i = 0; i < start.length; i++) {
      largestUpdate = Math.max(largestUpdate, Math.abs(single.after[i]! - start[i]!));
      largestDifference = Math.max(largestDifference, Math.abs(replicated.after[i]! - single.after[i]!));
    }
    assert.ok(largestUpdate > 1e-3, `the step moved the weights (largest update ${largestUpdate})`);
    assert.ok(largestDifference <= 1e-5 * largestUpdate, `largest difference ${largestDifference} of ${largestUpdate}`);
  });

  it('runs a batch of one on one replica', async () => {
    const before = tinyCheckpoint('sgd', 7);
    const single = await oneStep(await TrainingSessionImpl.fromCheckpoint(before, sessionOptions), 1);
    const replicated = await oneStep((await openNodeTrainingSession(before, options, 2)).session, 1);
    assert.equal(replicated.loss, single.loss);
  });

  it('keeps a BatchNorm model in one session, and refuses to split it when asked', async () => {
    const checkpoint = tinyBatchNormCheckpoint();
    const opened = await openNodeTrainingSession(checkpoint, options, 2);
    assert.equal(opened.replicas, 1);
    await opened.session.release();
    await assert.rejects(TrainingSessionImpl.fromCheckpoint(checkpoint, options, openReplicatedTrainModel(2)), {
      name: 'RangeError',
      message:
        'TrainingSession.create: a model with BatchNorm cannot be trained on shares of the batch apart (each would be normalized by its own share)',
    });
  });

  it('uses one session when given one thread', async () => {
    const opened = await openNodeTrainingSession(tinyCheckpoint('sgd'), options, 1);
    assert.equal(opened.replicas, 1);
    await opened.session.release();
  });
});
