/**
 * An interrupted run, resumed from its checkpoint file, ends with the very parameters, optimizer state and log of
 * the run that was never interrupted: same batches, crops, flips, Dropout masks and learning rates.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import {
  decodeTrainingCheckpoint,
  encodeTrainingCheckpoint,
  TrainingSession,
  type TrainingCheckpoint,
} from '../../src/train/index.js';
import { initialProgress, runTrainingLoop } from '../../src/train/loop/trainer.js';
import { type TrainingProgress } from '../../src/train/checkpoint/progress.js';
import { type TrainingRecipe } from '../../src/train/loop/recipe.js';
import { checkpointParameters } from '../../src/train/checkpoint/state.js';
import {
  assertBitEqual,
  CIFAR_SPEC,
  sessionOptions,
  syntheticCifar,
  tinyBatchNormCheckpoint,
  tinyCheckpoint,
  TINY_WIDTHS,
} from './helpers.js';

const train = syntheticCifar(80, 3);
const test = syntheticCifar(20, 4);
const recipe: TrainingRecipe = {
  schedule: 'linear',
  epochs: 2,
  batchSize: 16,
  baseLr: 0.05,
  seed: 5,
  init: 'he',
  augment: true,
  logEvery: 2,
};
const labels = train.classNames;

interface Run {
  readonly log: string[];
  readonly last: TrainingCheckpoint;
  readonly best: number[];
}

/** Trains from `checkpoint` until the end or until `stopAfter` batches, keeping what the loop hands out. */
async function run(
  checkpoint: TrainingCheckpoint,
  progress: TrainingProgress,
  stopAfter = Infinity,
): Promise<Run & { status: string }> {
  const session = await TrainingSession.fromCheckpoint(checkpoint, sessionOptions);
  const log: string[] = [];
  const best: number[] = [];
  let last: TrainingCheckpoint | undefined;
  let batches = 0;
  try {
    const result = await runTrainingLoop({
      session,
      ort,
      train,
      test,
      progress,
      log: (line) => log.push(line),
      onCheckpoint: async (state) => void (last = state),
      onBest: async (_state, evaluation) => void best.push(evaluation!.accuracy),
      onBatch: () => void (batches += 1),
      shouldStop: () => batches >= stopAfter,
      checkpointEvery: 3,
    });
    return { log, last: last!, best, status: result.status };
  } finally {
    await session.release();
  }
}

describe('resuming an interrupted run', () => {
  const start = tinyCheckpoint('sgd', 7);
  const progress = initialProgress(recipe, train, labels, CIFAR_SPEC);
  let whole: (Run & { status: string }) | undefined;
  const uninterrupted = async () => (whole ??= await run(start, progress));

  for (const stopAfter of [4, 5, 7]) {
    it(`stopped after ${stopAfter} of ${2 * 5} batches, then resumed from the saved file: bit-identical to the uninterrupted run`, async () => {
      const reference = await uninterrupted();
      assert.equal(reference.status, 'finished');
      assert.equal(reference.last.step, 10);

      const first = await run(start, progress, stopAfter);
      assert.equal(first.status, 'stopped');
      assert.equal(first.last.step, stopAfter);
      // Through the file format, as `nin-sdk train` does it.
      const saved = decodeTrainingCheckpoint(encodeTrainingCheckpoint(first.last));
      assert.deepEqual(saved.progress, first.last.progress);
      const second = await run(saved, saved.progress!);
      assert.equal(second.status, 'finished');

      assert.equal(second.last.step, 10);
      assertBitEqual(second.last.parameters, reference.last.parameters, 'parameters');
      assertBitEqual(
        second.last.optimizerState['momentum_buffer']!,
        reference.last.optimizerState['momentum_buffer']!,
        'momentum buffers',
      );
      assert.deepEqual([...first.log, ...second.log], reference.log);
      assert.deepEqual([...first.best, ...second.best], reference.best);
      assert.deepEqual(second.last.progress, reference.last.progress);
    });
  }

  it("logs in pytorch-nin-cifar10's format", async () => {
    const { log } = await uninterrupted();
    // The biases' rate 0.1 warming up over the first epoch's 5 batches; printed as Python's repr of the same double.
    assert.match(log[0]!, /^Train Epoch: 1 \[0\/80 \(0%\)\]\tLoss: \d+\.\d{6}\tLR: 0\.020000000000000004$/);
    assert.match(log[1]!, /^Train Epoch: 1 \[32\/80 \(40%\)\]\tLoss: \d+\.\d{6}\tLR: 0\.06$/);
    assert.match(log[2]!, /^Train Epoch: 1 \[64\/80 \(80%\)\]\tLoss: \d+\.\d{6}\tLR: 0\.1$/);
    assert.deepEqual([log[3], log[5]], ['', '']);
    assert.match(log[4]!, /^Test set: Average loss: \d+\.\d{4}, Accuracy: \d+\/20 \(\d+\.\d{2}%\)$/);
    assert.equal(log.length, 12);
  });
});

describe('resuming a run with BatchNorm, the cosine schedule and label smoothing', () => {
  const start = tinyBatchNormCheckpoint();
  const smoothed: TrainingRecipe = { ...recipe, schedule: 'cosine', labelSmoothing: 0.1 };
  const progress = initialProgress(smoothed, train, labels, CIFAR_SPEC);

  it('stopped after 6 of 10 batches, then resumed from the saved file: bit-identical, running statistics included', async () => {
    const reference = await run(start, progress);
    const first = await run(start, progress, 6);
    const saved = decodeTrainingCheckpoint(encodeTrainingCheckpoint(first.last));
    assert.deepEqual(saved.architecture, { family: 'cifar10', widths: [...TINY_WIDTHS], batchNorm: true });
    assert.equal(saved.progress?.recipe.labelSmoothing, 0.1);
    const second = await run(saved, saved.progress!);
    assertBitEqual(second.last.parameters, reference.last.parameters, 'parameters');
    assert.deepEqual([...first.log, ...second.log], reference.log);
    // The running statistics moved from their start (mean 0, variance 1) with every step, and never by the optimizer.
    const stats = checkpointParameters(reference.last);
    const mean = stats.get('classifier.0.bn.running_mean')!.data;
    const variance = stats.get('classifier.0.bn.running_var')!.data;
    assert.ok(mean.some((m) => m !== 0) && variance.some((v) => v !== 1));
    const momentum = checkpointParameters({
      ...reference.last,
      parameters: reference.last.optimizerState['momentum_buffer']!,
    });
    assert.ok(momentum.get('classifier.0.bn.running_mean')!.data.every((m) => m === 0));
  });
});
