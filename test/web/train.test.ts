/**
 * nin-sdk/train in Chromium against Node: from the same checkpoint file, a TrainingSession on onnxruntime-web
 * (wasm, and WebGPU on SwiftShader with no CPU fallback) takes one training step and one SGD step with artifacts
 * that the page builds itself, and must give onnxruntime-node CPU's loss, gradients and updated parameters, the
 * artifacts run by hand in Node. The page's saved checkpoint must then load back in Node.
 *
 * The session keeps its gradients to itself; the page reads them from its optimizer state instead. The checkpoint's
 * optimizer is the recipe's SGD without weight decay, so that from a zero momentum buffer the buffer after the step
 * is the gradient itself (0 · momentum + (g + 0 · p)), bit for bit; the first test proves that identity in Node.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type * as ort from 'onnxruntime-node';
import {
  decodeTrainingCheckpoint,
  encodeTrainingCheckpoint,
  initialCheckpoint,
  initialParameters,
  TrainingSession,
  type OptimizerSettings,
} from '../../src/train/index.js';
import { buildNinTrainingArtifacts, LOSS_NAME } from '../../src/train/nin/forward.js';
import { checkpointParameters, parameterSlots } from '../../src/train/checkpoint/state.js';
import {
  gradientName,
  LEARNING_RATES_NAME,
  stateName,
  updatedName,
  WEIGHT_DECAYS_NAME,
} from '../../src/train/optimizer/graph-io.js';
import { hyperparameterVectors } from '../../src/train/optimizer/parameter-groups.js';
import { MOMENTUM_BUFFER } from '../../src/train/optimizer/sgd.js';
import { ninParameters } from '../../src/train/nin/architecture.js';
import { optimizerScalars } from '../../src/train/optimizer/settings.js';
import type { WebProvider } from '../../src/web/index.js';
import { relativeError, runOnce, scalar, tensor } from '../train/helpers.js';
import { assertBitEqual, sessionOptions, syntheticBatch, TINY, tinyOptimizer } from '../train-session/helpers.js';
import { browserUnavailable } from './support/browser.js';
import { openHarnessSession, type HarnessSession } from './support/harness-session.js';

const TOLERANCE = 1e-4;
const LEARNING_RATE_SCALE = 0.5;
const PROVIDERS: readonly WebProvider[] = ['wasm', 'webgpu'];

/** The recipe's groups and momentum, every weight decay 0 (see above). */
function sgdWithoutDecay(): OptimizerSettings {
  const sgd = tinyOptimizer('sgd');
  return { ...sgd, groups: sgd.groups.map((group) => ({ ...group, weightDecay: 0 })) };
}

const CHECKPOINT = encodeTrainingCheckpoint(
  initialCheckpoint(TINY, sgdWithoutDecay(), initialParameters(TINY, 'he', 7)),
);
/** Batch 2: input, one-hot labels and both Dropout masks of the tiny NIN. */
const BATCH = syntheticBatch(2, 5);
const SLOTS = parameterSlots(ninParameters(TINY));

interface Reference {
  readonly loss: number;
  readonly gradients: ReadonlyMap<string, Float32Array>;
  readonly parameters: ReadonlyMap<string, Float32Array>;
  readonly momentum: ReadonlyMap<string, Float32Array>;
  /** SHA-256 of the training, eval and optimizer models. */
  readonly digests: readonly string[];
}

/** The artifacts run by hand on onnxruntime-node's CPU provider: the training model, then the optimizer model. */
async function nodeReference(): Promise<Reference> {
  const checkpoint = decodeTrainingCheckpoint(CHECKPOINT);
  if (checkpoint.optimizer.kind !== 'sgd') throw new Error('internal: the test checkpoint is SGD');
  const artifacts = buildNinTrainingArtifacts(TINY, { optimizer: 'sgd', nesterov: checkpoint.optimizer.nesterov });
  const parameters: Record<string, ort.Tensor> = {};
  for (const [name, t] of checkpointParameters(checkpoint)) parameters[name] = tensor(t.data, t.shape);
  const trained = await runOnce(artifacts.trainingModel, { ...BATCH, ...parameters });

  const { learningRates, weightDecays } = hyperparameterVectors(
    artifacts.parameterNames,
    checkpoint.optimizer.groups,
    LEARNING_RATE_SCALE,
  );
  const stepFeeds: Record<string, ort.Tensor> = {
    [LEARNING_RATES_NAME]: tensor(learningRates, [learningRates.length]),
    [WEIGHT_DECAYS_NAME]: tensor(weightDecays, [weightDecays.length]),
  };
  for (const [name, value] of Object.entries(optimizerScalars(checkpoint.optimizer, 1)))
    stepFeeds[name] = scalar(value);
  for (const p of artifacts.parameters) {
    stepFeeds[p.name] = parameters[p.name]!;
    stepFeeds[gradientName(p.name)] = tensor(trained[gradientName(p.name)]!, p.shape);
    stepFeeds[stateName(p.name, MOMENTUM_BUFFER)] = tensor(
      new Float32Array(trained[gradientName(p.name)]!.length),
      p.shape,
    );
  }
  const stepped = await runOnce(artifacts.optimizerModel, stepFeeds);
  const byName = (outputName: (name: string) => string, outputs: Record<string, Float32Array>) =>
    new Map(artifacts.parameterNames.map((name) => [name, outputs[outputName(name)]!]));
  return {
    loss: trained[LOSS_NAME]![0]!,
    gradients: byName(gradientName, trained),
    parameters: byName(updatedName, stepped),
    momentum: byName((name) => updatedName(stateName(name, MOMENTUM_BUFFER)), stepped),
    digests: [artifacts.trainingModel, artifacts.evalModel, artifacts.optimizerModel].map((bytes) =>
      createHash('sha256').update(bytes).digest('hex'),
    ),
  };
}

/** The worst relative error over the parameters, and whose: `values` is laid out in state_dict order. */
function worstPerParameter(
  values: Float32Array,
  expected: ReadonlyMap<string, Float32Array>,
): { error: number; name: string } {
  let worst = { error: -1, name: '' };
  for (const slot of SLOTS) {
    const error = relativeError(values.subarray(slot.offset, slot.offset + slot.length), expected.get(slot.name)!);
    if (!(error <= worst.error)) worst = { error, name: slot.name };
  }
  return worst;
}

describe('nin-sdk/train in Chromium against Node', { skip: browserUnavailable() ?? false, timeout: 300_000 }, () => {
  let session: HarnessSession;
  let reference: Reference;

  before(async () => {
    reference = await nodeReference();
    session = await openHarnessSession();
  });

  after(async () => {
    await session?.close();
  });

  test('in Node, the momentum buffer after the first step of SGD without weight decay is the gradient, bit for bit', () => {
    for (const [name, gradient] of reference.gradients) assertBitEqual(reference.momentum.get(name)!, gradient, name);
  });

  for (const provider of PROVIDERS) {
    test(`a TrainingSession on ${provider}: one training and one SGD step give Node CPU's loss, gradients and parameters within ${TOLERANCE}`, async (t) => {
      const feeds = Object.fromEntries(
        Object.entries(BATCH).map(([name, value]) => [name, { data: value.data as Float32Array, dims: value.dims }]),
      );
      const run = await session.harness.trainStep({
        checkpoint: CHECKPOINT,
        feeds,
        provider,
        learningRateScale: LEARNING_RATE_SCALE,
      });
      assert.equal(run.provider, provider);
      assert.deepEqual(run.fallbacks, []);
      assert.deepEqual(run.artifactDigests, reference.digests, 'the page built other artifacts than Node');

      const loss = relativeError([run.loss], [reference.loss]);
      const gradients = worstPerParameter(run.optimizerState[MOMENTUM_BUFFER]!, reference.gradients);
      const parameters = worstPerParameter(run.parameters, reference.parameters);
      const { create, trainStep, optimizerStep } = run.milliseconds;
      t.diagnostic(
        `${provider} vs Node CPU, worst relative error: loss ${loss.toExponential(2)}, gradients ${gradients.error.toExponential(2)} (${gradients.name}), ` +
          `parameters ${parameters.error.toExponential(2)} (${parameters.name}); session ${create.toFixed(0)} ms, ` +
          `training step ${trainStep.toFixed(0)} ms, optimizer step ${optimizerStep.toFixed(0)} ms`,
      );
      assert.ok(loss <= TOLERANCE, `loss ${run.loss} vs ${reference.loss}`);
      assert.ok(gradients.error <= TOLERANCE, `${gradientName(gradients.name)} differs by ${gradients.error}`);
      assert.ok(parameters.error <= TOLERANCE, `updated ${parameters.name} differs by ${parameters.error}`);

      // The page's checkpoint, read and resumed in Node.
      const saved = decodeTrainingCheckpoint(run.checkpoint);
      const original = decodeTrainingCheckpoint(CHECKPOINT);
      assert.equal(saved.step, 1);
      assert.deepEqual([saved.architecture, saved.optimizer], [original.architecture, original.optimizer]);
      assertBitEqual(saved.parameters, run.parameters, 'saved parameters');
      assertBitEqual(
        saved.optimizerState[MOMENTUM_BUFFER]!,
        run.optimizerState[MOMENTUM_BUFFER]!,
        'saved momentum buffer',
      );
      const resumed = await TrainingSession.fromCheckpoint(run.checkpoint, sessionOptions);
      try {
        assert.equal(resumed.step, 1);
        assertBitEqual(
          (await resumed.getContiguousParameters()).data as Float32Array,
          run.parameters,
          'parameters resumed in Node',
        );
      } finally {
        await resumed.release();
      }
    });
  }

  test('no console errors or uncaught exceptions in the page', () => {
    assert.deepEqual(session.browser.problems, []);
  });
});
