/**
 * optimizer_model.onnx against torch.optim: two steps from the cifar-small
 * checkpoint, both fed PyTorch's gradients for the fixture batch, so the
 * second step runs with the state the first one left (momentum buffers, Adam
 * moments, step-2 bias corrections).
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import * as ort from 'onnxruntime-node';
import { NIN_CIFAR10 } from '../../src/convert/index.js';
import { architectureFromWidths, type TrainingArtifacts } from '../../src/train/index.js';
import { adamwStepScalars } from '../../src/train/optimizer/adamw.js';
import { buildNinTrainingArtifacts } from '../../src/train/nin/forward.js';
import {
  hyperparameterVectors,
  ninCifar10Groups,
  type HyperparameterVectors,
  type ParameterGroup,
} from '../../src/train/optimizer/parameter-groups.js';
import { LEARNING_RATES_NAME, stateName, updatedName, WEIGHT_DECAYS_NAME } from '../../src/train/optimizer/graph-io.js';
import { Bundle, checkpointTensors, outputsAsFloat32, relativeError, scalar, tensor, type Feeds } from './helpers.js';

/** Float32 round-off of a few elementwise ops, relative to each tensor's largest value. */
const TOLERANCE = 1e-6;
const bundle = new Bundle('cifar-small');
const CIFAR_SMALL = architectureFromWidths(NIN_CIFAR10, [32, 24, 16, 32, 32, 32, 32, 32, 10]);

/** Runs `steps` optimizer steps, carrying parameters and state from one to the next, and compares each with PyTorch's. */
async function checkSteps(
  t: TestContext,
  artifacts: TrainingArtifacts,
  prefix: string,
  states: readonly string[],
  scalarsAt: (step: number) => Readonly<Record<string, number>>,
  vectors: HyperparameterVectors,
): Promise<void> {
  const initial = checkpointTensors('cifar-small.pth');
  const current = new Map<string, Float32Array>(artifacts.parameters.map((p) => [p.name, initial.get(p.name)!.data]));
  const state = new Map<string, Float32Array>(
    artifacts.parameters.flatMap((p) =>
      states.map((s) => [stateName(p.name, s), new Float32Array(current.get(p.name)!.length)]),
    ),
  );
  const session = await ort.InferenceSession.create(artifacts.optimizerModel);
  try {
    for (const step of [1, 2]) {
      const feeds: Feeds = {
        [LEARNING_RATES_NAME]: tensor(vectors.learningRates, [vectors.learningRates.length]),
        [WEIGHT_DECAYS_NAME]: tensor(vectors.weightDecays, [vectors.weightDecays.length]),
      };
      for (const [name, value] of Object.entries(scalarsAt(step))) feeds[name] = scalar(value);
      for (const p of artifacts.parameters) {
        feeds[p.name] = tensor(current.get(p.name)!, p.shape);
        feeds[`${p.name}_grad`] = tensor(bundle.float32(`grad.${p.name}`), p.shape);
        for (const s of states) feeds[stateName(p.name, s)] = tensor(state.get(stateName(p.name, s))!, p.shape);
      }
      const out = outputsAsFloat32(await session.run(feeds));
      let worst = 0;
      let identical = 0;
      let total = 0;
      for (const p of artifacts.parameters) {
        current.set(p.name, out[updatedName(p.name)]!);
        for (const s of states) state.set(stateName(p.name, s), out[updatedName(stateName(p.name, s))]!);
        const error = relativeError(current.get(p.name)!, bundle.float32(`${prefix}.step${step}.${p.name}`));
        assert.ok(error <= TOLERANCE, `step ${step}: ${p.name} relative error ${error}`);
        worst = Math.max(worst, error);
        const expected = bundle.float32(`${prefix}.step${step}.${p.name}`);
        current.get(p.name)!.forEach((v, i) => (identical += v === expected[i] ? 1 : 0));
        total += expected.length;
      }
      const share = ((100 * identical) / total).toFixed(2);
      t.diagnostic(
        `${prefix} step ${step}: worst parameter relative error ${worst.toExponential(2)}, ${share}% of values bit-identical`,
      );
    }
  } finally {
    await session.release();
  }
}

describe('optimizer_model.onnx matches torch.optim', () => {
  it('SGD, momentum 0.95, the pytorch-nin-cifar10 groups (lr 0.1 / 0.2 / 0.01, weight decay 1e-4 on weights)', async (t) => {
    const artifacts = buildNinTrainingArtifacts(CIFAR_SMALL, { optimizer: 'sgd' });
    const groups = ninCifar10Groups(artifacts.parameterNames);
    assert.deepEqual(
      groups.map((g) => [g.name, g.parameters.length, g.lr, g.weightDecay]),
      [
        ['weights', 8, 0.1, 1e-4],
        ['biases', 8, 0.2, 0],
        ['last_weight', 1, 0.01, 1e-4],
        ['last_bias', 1, 0.01, 0],
      ],
    );
    await checkSteps(
      t,
      artifacts,
      'sgd',
      ['momentum_buffer'],
      () => ({ momentum: 0.95 }),
      hyperparameterVectors(artifacts.parameterNames, groups),
    );
  });

  it('AdamW, weights lr 1e-3 weight decay 1e-2, biases lr 2e-3 no decay', async (t) => {
    const artifacts = buildNinTrainingArtifacts(CIFAR_SMALL, { optimizer: 'adamw' });
    const names = artifacts.parameterNames;
    const groups: ParameterGroup[] = [
      { name: 'weights', parameters: names.filter((n) => n.endsWith('.weight')), lr: 1e-3, weightDecay: 1e-2 },
      { name: 'biases', parameters: names.filter((n) => n.endsWith('.bias')), lr: 2e-3, weightDecay: 0 },
    ];
    const scalarsAt = (step: number) => {
      const s = adamwStepScalars(step, 0.9, 0.999, 1e-8);
      return {
        beta1: s.beta1,
        beta2: s.beta2,
        epsilon: s.epsilon,
        bias_correction1: s.biasCorrection1,
        bias_correction2_sqrt: s.biasCorrection2Sqrt,
      };
    };
    await checkSteps(t, artifacts, 'adamw', ['exp_avg', 'exp_avg_sq'], scalarsAt, hyperparameterVectors(names, groups));
  });
});
