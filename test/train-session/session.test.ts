/**
 * TrainingSession against the artifacts run by hand on onnxruntime-node: the same ONNX Runtime runs with the same
 * inputs, so every comparison is bit for bit.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import {
  decodeTrainingCheckpoint,
  TrainingSession,
  type TrainingArtifacts,
  type TrainingCheckpoint,
} from '../../src/train/index.js';
import { adamwStepScalars } from '../../src/train/optimizer/adamw.js';
import { buildNinTrainingArtifacts } from '../../src/train/nin/forward.js';
import { checkpointParameters } from '../../src/train/checkpoint/state.js';
import { gradientName, stateName, updatedName } from '../../src/train/optimizer/graph-io.js';
import { hyperparameterVectors } from '../../src/train/optimizer/parameter-groups.js';
import { OPTIMIZER_STATE_KEYS } from '../../src/train/optimizer/settings.js';
import { assertBitEqual, sessionOptions, syntheticBatch, TINY, tinyCheckpoint } from './helpers.js';

type Outputs = Record<string, Float32Array>;

/** One hand-run optimizer step of every parameter, as the session should do it. */
async function optimizerByHand(
  optimizer: ort.InferenceSession,
  artifacts: TrainingArtifacts,
  checkpoint: TrainingCheckpoint,
  gradients: Outputs,
  state: Map<string, Float32Array>,
  step: number,
  scale: number,
): Promise<Map<string, Float32Array>> {
  const { learningRates, weightDecays } = hyperparameterVectors(
    artifacts.parameterNames,
    checkpoint.optimizer.groups,
    scale,
  );
  const feeds: Record<string, ort.Tensor> = {
    learning_rates: new ort.Tensor('float32', learningRates, [learningRates.length]),
    weight_decays: new ort.Tensor('float32', weightDecays, [weightDecays.length]),
  };
  const scalars =
    checkpoint.optimizer.kind === 'sgd'
      ? { momentum: checkpoint.optimizer.momentum }
      : (() => {
          const s = adamwStepScalars(step);
          return {
            beta1: s.beta1,
            beta2: s.beta2,
            epsilon: s.epsilon,
            bias_correction1: s.biasCorrection1,
            bias_correction2_sqrt: s.biasCorrection2Sqrt,
          };
        })();
  for (const [name, value] of Object.entries(scalars))
    feeds[name] = new ort.Tensor('float32', Float32Array.of(value), []);
  const keys = OPTIMIZER_STATE_KEYS[checkpoint.optimizer.kind];
  for (const p of artifacts.parameters) {
    feeds[p.name] = new ort.Tensor('float32', state.get(p.name)!, p.shape);
    feeds[gradientName(p.name)] = new ort.Tensor('float32', gradients[gradientName(p.name)]!, p.shape);
    for (const key of keys)
      feeds[stateName(p.name, key)] = new ort.Tensor('float32', state.get(stateName(p.name, key))!, p.shape);
  }
  const out = await optimizer.run(feeds);
  const next = new Map<string, Float32Array>();
  for (const p of artifacts.parameters) {
    next.set(p.name, out[updatedName(p.name)]!.data as Float32Array);
    for (const key of keys)
      next.set(stateName(p.name, key), out[updatedName(stateName(p.name, key))]!.data as Float32Array);
  }
  return next;
}

async function trainByHand(
  training: ort.InferenceSession,
  artifacts: TrainingArtifacts,
  params: Map<string, Float32Array>,
  batch: Record<string, ort.Tensor>,
): Promise<Outputs> {
  const feeds: Record<string, ort.Tensor> = { ...batch };
  for (const p of artifacts.parameters) feeds[p.name] = new ort.Tensor('float32', params.get(p.name)!, p.shape);
  const out = await training.run(feeds);
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
}

function initialState(checkpoint: TrainingCheckpoint): Map<string, Float32Array> {
  const state = new Map<string, Float32Array>();
  for (const [name, t] of checkpointParameters(checkpoint)) {
    state.set(name, t.data.slice());
    for (const key of OPTIMIZER_STATE_KEYS[checkpoint.optimizer.kind])
      state.set(stateName(name, key), new Float32Array(t.data.length));
  }
  return state;
}

function flatten(state: Map<string, Float32Array>, names: readonly string[]): Float32Array {
  const parts = names.map((n) => state.get(n)!);
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

for (const kind of ['sgd', 'adamw'] as const) {
  describe(`TrainingSession (${kind})`, () => {
    const artifacts = buildNinTrainingArtifacts(TINY, { optimizer: kind });
    let training: ort.InferenceSession;
    let optimizer: ort.InferenceSession;
    before(async () => {
      training = await ort.InferenceSession.create(artifacts.trainingModel, sessionOptions.sessionOptions);
      optimizer = await ort.InferenceSession.create(artifacts.optimizerModel, sessionOptions.sessionOptions);
    });
    after(async () => {
      await training.release();
      await optimizer.release();
    });
    const open = (checkpointState: TrainingCheckpoint | Uint8Array) =>
      TrainingSession.create(
        {
          checkpointState,
          trainModel: artifacts.trainingModel,
          evalModel: artifacts.evalModel,
          optimizerModel: artifacts.optimizerModel,
        },
        sessionOptions,
      );

    it('two steps (train + optimizer, lr scale 1 then 0.5) equal the artifacts run by hand, bit for bit', async () => {
      const checkpoint = tinyCheckpoint(kind);
      const session = await open(checkpoint);
      try {
        assert.equal(session.provider, 'cpu');
        assert.deepEqual(session.inputNames, ['input', 'classifier.7.mask', 'classifier.15.mask', 'labels']);
        let state = initialState(checkpoint);
        for (const [step, scale] of [
          [1, 1],
          [2, 0.5],
        ] as const) {
          const batch = syntheticBatch(4, step);
          const byHand = await trainByHand(training, artifacts, state, batch);
          await session.lazyResetGrad();
          const loss = await session.runTrainStep(batch);
          assert.equal(loss, byHand['loss']![0]);
          await session.runOptimizerStep({ learningRateScale: scale });
          state = await optimizerByHand(optimizer, artifacts, checkpoint, byHand, state, step, scale);
          assertBitEqual(
            (await session.getContiguousParameters()).data as Float32Array,
            flatten(state, artifacts.parameterNames),
            `parameters after step ${step}`,
          );
        }
        assert.equal(session.step, 2);
        const saved = await session.getState();
        for (const key of OPTIMIZER_STATE_KEYS[kind]) {
          assertBitEqual(
            saved.optimizerState[key]!,
            flatten(
              state,
              artifacts.parameterNames.map((n) => stateName(n, key)),
            ),
            key,
          );
        }
      } finally {
        await session.release();
      }
    });

    it('gradients accumulate across runTrainStep calls until lazyResetGrad', async () => {
      const checkpoint = tinyCheckpoint(kind);
      const session = await open(checkpoint);
      try {
        const state = initialState(checkpoint);
        const [a, b, c] = [syntheticBatch(2, 11), syntheticBatch(3, 12), syntheticBatch(2, 13)];
        const gradA = await trainByHand(training, artifacts, state, a);
        const gradB = await trainByHand(training, artifacts, state, b);
        const sum: Outputs = {};
        for (const name of artifacts.parameterNames)
          sum[gradientName(name)] = gradA[gradientName(name)]!.map((v, i) => v + gradB[gradientName(name)]![i]!);

        // c is computed, then dropped by the reset: a and b are what the step uses.
        await session.runTrainStep(c);
        await session.lazyResetGrad();
        await session.runTrainStep(a);
        await session.runTrainStep(b);
        await session.runOptimizerStep();
        const expected = await optimizerByHand(optimizer, artifacts, checkpoint, sum, state, 1, 1);
        assertBitEqual(
          (await session.getContiguousParameters()).data as Float32Array,
          flatten(expected, artifacts.parameterNames),
          'parameters',
        );
      } finally {
        await session.release();
      }
    });
  });
}

describe('TrainingSession state', () => {
  it('getContiguousParameters / loadParametersBuffer round-trip, as raw bytes or Float32Array', async () => {
    const session = await TrainingSession.fromCheckpoint(tinyCheckpoint('sgd'), sessionOptions);
    try {
      const size = session.getParametersSize();
      // 8·3·5·5 + 8, five 1×1 8→8 convolutions of 72, 8·8·5·5 + 8, 8·8·3·3 + 8, 10·8 + 10.
      assert.equal(size, 608 + 5 * 72 + 1608 + 584 + 90);
      const original = (await session.getContiguousParameters()).data as Float32Array;
      const changed = original.map((v, i) => v + i * 1e-3);
      await session.loadParametersBuffer(new Uint8Array(changed.buffer));
      assertBitEqual((await session.getContiguousParameters()).data as Float32Array, changed, 'after loading bytes');
      await session.loadParametersBuffer(original);
      assertBitEqual((await session.getContiguousParameters()).data as Float32Array, original, 'after loading floats');
      await assert.rejects(session.loadParametersBuffer(new Float32Array(size - 1)), {
        name: 'RangeError',
        message: `loadParametersBuffer: expected ${size} float32 values (${4 * size} bytes), got ${4 * size - 4} bytes`,
      });
      await assert.rejects(
        session.runTrainStep({}),
        /^RangeError: runTrainStep: missing input, classifier\.7\.mask, classifier\.15\.mask, labels \(expected feeds: /,
      );
    } finally {
      await session.release();
    }
  });

  it('a saved checkpoint decodes to the state it was saved from; a session opened from it continues identically', async () => {
    const first = await TrainingSession.fromCheckpoint(tinyCheckpoint('adamw'), sessionOptions);
    let second: TrainingSession | undefined;
    try {
      for (const seed of [21, 22]) {
        await first.lazyResetGrad();
        await first.runTrainStep(syntheticBatch(3, seed));
        await first.runOptimizerStep();
      }
      const state = await first.getState();
      const bytes = await first.saveCheckpoint();
      const decoded = decodeTrainingCheckpoint(bytes);
      assert.deepEqual(decoded.architecture, state.architecture);
      assert.deepEqual(decoded.optimizer, state.optimizer);
      assert.equal(decoded.step, 2);
      assertBitEqual(decoded.parameters, state.parameters, 'parameters');
      for (const key of ['exp_avg', 'exp_avg_sq'])
        assertBitEqual(decoded.optimizerState[key]!, state.optimizerState[key]!, key);

      second = await TrainingSession.fromCheckpoint(bytes, sessionOptions);
      for (const session of [first, second]) {
        await session.lazyResetGrad();
        await session.runTrainStep(syntheticBatch(3, 23));
        await session.runOptimizerStep({ learningRateScale: 0.3 });
      }
      assert.equal(second.step, 3);
      assertBitEqual(
        (await second.getContiguousParameters()).data as Float32Array,
        (await first.getContiguousParameters()).data as Float32Array,
        'after one more step',
      );
    } finally {
      await first.release();
      await second?.release();
    }
  });

  it("refuses models that are not the checkpoint's", async () => {
    const other = buildNinTrainingArtifacts(TINY, { optimizer: 'sgd' });
    await assert.rejects(
      TrainingSession.create(
        {
          checkpointState: tinyCheckpoint('adamw'),
          trainModel: other.trainingModel,
          optimizerModel: other.optimizerModel,
        },
        sessionOptions,
      ),
      {
        name: 'RangeError',
        message:
          'TrainingSession.create: the optimizer (adamw) model does not match the checkpoint: it has no input classifier.0.weight_exp_avg, classifier.0.weight_exp_avg_sq',
      },
    );
  });
});
