/**
 * Fine-tuning a NIN into a classifier of other classes (`nin-sdk train --from` on class folders that are not the
 * model's labels) against PyTorch: the last mlpconv convolution replaced by a fresh one of 2 classes, as
 * torchvision users replace a head, then SGD steps with nin-sdk's groups for a new classifier, every parameter
 * trained or the classifier alone (--freeze features). Reference: fixtures/make_new_classifier_fixtures.py.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { NIN_CIFAR10 } from '../../src/convert/index.js';
import { checkpointForwardModel } from '../../src/train/checkpoint/forward.js';
import { initialModelCheckpoint, parameterSlots } from '../../src/train/checkpoint/state.js';
import { hashDropoutMask } from '../../src/train/hash-dropout-mask.js';
import { NEW_CLASSIFIER_LR_DIVISOR, recipeOptimizer } from '../../src/train/loop/recipe.js';
import { classifierLayer, withNewClassifier } from '../../src/train/new-classifier.js';
import { TrainingSession } from '../../src/train/training-session.js';
import { readTrainingStart, type TrainingStart } from '../../src/train/training-start.js';
import { CHECKPOINTS, FIXTURES } from '../support/fixtures.js';
import { Bundle, cifarInput, tensor, type Feeds } from './helpers.js';

const bundle = new Bundle('new-classifier');
const LABELS = bundle.meta['labels'] as number[];
const LR = bundle.meta['lr'] as number;
const STEPS = bundle.meta['steps'] as number;
const MASK_SEED = bundle.meta['maskSeed'] as number;
const HEAD = bundle.meta['head'] as string;
const NEW_LABELS = ['plane', 'toad'];
const ARCH = join(FIXTURES, 'arch');
/** Largest |Δ| allowed between a parameter after the steps and PyTorch's. */
const PARAMETER_TOLERANCE = 1e-4;

function cifarSmall(): TrainingStart {
  return readTrainingStart(readFileSync(join(CHECKPOINTS, 'cifar-small.pth')), 'cifar-small.pth');
}

/** The new-classifier start with PyTorch's draw of the head in place of ours, so both sides start from one state. */
function startWithTorchHead(): TrainingStart {
  const start = withNewClassifier(cifarSmall(), NEW_LABELS, 0);
  const parameters = new Map(start.parameters);
  parameters.set(`${HEAD}.weight`, { shape: bundle.shape('head/weight'), data: bundle.float32('head/weight') });
  parameters.set(`${HEAD}.bias`, { shape: bundle.shape('head/bias'), data: bundle.float32('head/bias') });
  return { ...start, parameters };
}

describe('a new classifier (fine-tuning to other classes) against PyTorch', () => {
  it('replaces only the last mlpconv convolution: 2 outputs, the new labels, PyTorch’s init range, seeded', () => {
    const before = cifarSmall();
    const start = withNewClassifier(before, NEW_LABELS, 0);
    assert.equal(classifierLayer(before.tensors).name, HEAD);
    assert.deepEqual(start.architecture, { family: 'cifar10', widths: [32, 24, 16, 32, 32, 32, 32, 32, 2] });
    assert.deepEqual(start.labels, NEW_LABELS);
    assert.deepEqual(start.preprocessing, before.preprocessing);
    assert.deepEqual(
      start.tensors.filter((t) => t.name.startsWith(`${HEAD}.`)),
      [
        { name: `${HEAD}.weight`, shape: [2, 32, 1, 1] },
        { name: `${HEAD}.bias`, shape: [2] },
      ],
    );
    assert.deepEqual(start.tensors.slice(0, -2), before.tensors.slice(0, -2));
    for (const t of before.tensors.slice(0, -2))
      assert.equal(start.parameters.get(t.name)!.data, before.parameters.get(t.name)!.data, t.name);
    // nn.Conv2d's default: weights and biases uniform in ±1/√fan_in, fan_in 32.
    const bound = 1 / Math.sqrt(32);
    const head = [...start.parameters.get(`${HEAD}.weight`)!.data, ...start.parameters.get(`${HEAD}.bias`)!.data];
    assert.equal(head.length, 66);
    assert.ok(head.every((v) => Math.abs(v) <= bound) && Math.max(...head.map(Math.abs)) > bound / 2);
    const again = withNewClassifier(before, NEW_LABELS, 0);
    assert.deepEqual(again.parameters.get(`${HEAD}.weight`), start.parameters.get(`${HEAD}.weight`));
    const other = withNewClassifier(before, NEW_LABELS, 1);
    assert.notDeepEqual(other.parameters.get(`${HEAD}.weight`), start.parameters.get(`${HEAD}.weight`));
    assert.equal(NIN_CIFAR10.labels.length, before.labels.length);
  });

  for (const key of ['all', 'frozen'] as const) {
    it(`${key === 'all' ? 'every parameter trains' : 'only the classifier trains (--freeze features)'}: ${STEPS} SGD steps equal torch.optim.SGD’s within ${PARAMETER_TOLERANCE}`, async (t) => {
      const start = startWithTorchHead();
      const names = start.tensors.map((p) => p.name);
      const frozen = key === 'all' ? [] : names.filter((n) => !n.startsWith(`${HEAD}.`));
      const trainable = names.filter((n) => !frozen.includes(n));
      // The optimizer as `nin-sdk train` builds it for a new classifier at the fine-tuning rate.
      const optimizer = recipeOptimizer('sgd', trainable, HEAD, LR, NEW_CLASSIFIER_LR_DIVISOR);
      const checkpoint = initialModelCheckpoint(start.architecture, start.tensors, optimizer, start.parameters, frozen);
      const session = await TrainingSession.fromCheckpoint(checkpoint, { ort, platform: 'node' });
      const model = checkpointForwardModel(checkpoint);
      const batch = LABELS.length;
      const labels = new Float32Array(batch * NEW_LABELS.length);
      LABELS.forEach((label, i) => (labels[i * NEW_LABELS.length + label] = 1));
      const input = cifarInput(bundle.uint8('images'));
      const expectedLosses = bundle.float32(`${key}/losses`);
      let worst = 0;
      try {
        for (let step = 0; step < STEPS; step++) {
          const feeds: Feeds = {
            input: tensor(input, [batch, 3, 32, 32]),
            labels: tensor(labels, [batch, NEW_LABELS.length]),
          };
          for (const m of model.dropoutMasks) {
            const shape = m.shape.map((d) => (typeof d === 'number' ? d : batch));
            const size = shape.reduce((a, b) => a * b, 1);
            feeds[m.name] = tensor(hashDropoutMask(size, m.p, [MASK_SEED, step, m.layerIndex]), shape);
          }
          await session.lazyResetGrad();
          const loss = await session.runTrainStep(feeds);
          assert.ok(
            Math.abs(loss - expectedLosses[step]!) <= 1e-4,
            `step ${step}: loss ${loss}, PyTorch ${expectedLosses[step]}`,
          );
          await session.runOptimizerStep();
          const state = await session.getState();
          for (const slot of parameterSlots(start.tensors)) {
            const now = state.parameters.subarray(slot.offset, slot.offset + slot.length);
            if (frozen.includes(slot.name)) {
              assert.deepEqual(now, start.parameters.get(slot.name)!.data, `${slot.name} stays frozen`);
              continue;
            }
            const expected = bundle.float32(`${key}/step${step + 1}/${slot.name}`);
            for (let i = 0; i < now.length; i++) worst = Math.max(worst, Math.abs(now[i]! - expected[i]!));
          }
        }
      } finally {
        await session.release();
      }
      t.diagnostic(`largest |Δ| from PyTorch's parameters: ${worst.toExponential(2)}`);
      assert.ok(worst <= PARAMETER_TOLERANCE, `parameters differ from PyTorch's by up to ${worst}`);
    });
  }
});

describe('a new classifier on converted registry architectures', () => {
  const CASES = [
    { file: 'rasbt-nin-batchnorm-small.pth', head: 'classifier.28', kind: 'the last convolution' },
    { file: 'nin_cifar10-small.pth', head: 'output.final_conv.conv', kind: "pytorchcv's final convolution" },
    { file: 'functional-zoo-nin-small.pth', head: 'fc', kind: 'a Linear head' },
  ];
  for (const { file, head, kind } of CASES) {
    it(`${file}: ${kind} (${head}) becomes 3 classes; a training step runs and eval gives 3 logits an image`, async () => {
      const before = readTrainingStart(readFileSync(join(ARCH, file)), file);
      const start = withNewClassifier(before, ['a', 'b', 'c'], 0);
      const layer = classifierLayer(start.tensors);
      assert.equal(layer.name, head);
      assert.equal(layer.weight.shape[0], 3);
      assert.deepEqual(layer.weight.shape.slice(1), classifierLayer(before.tensors).weight.shape.slice(1));
      const names = start.tensors.map((p) => p.name);
      const optimizer = recipeOptimizer('sgd', names, head, LR, NEW_CLASSIFIER_LR_DIVISOR);
      const checkpoint = initialModelCheckpoint(start.architecture, start.tensors, optimizer, start.parameters);
      const session = await TrainingSession.fromCheckpoint(checkpoint, { ort, platform: 'node' });
      const model = checkpointForwardModel(checkpoint);
      const [, channels, size] = model.inputShape as [unknown, number, number];
      const input = Float32Array.from({ length: 2 * channels * size * size }, (_, i) => Math.sin(i) * 0.5);
      const labels = Float32Array.of(1, 0, 0, 0, 0, 1);
      try {
        const feeds: Feeds = { input: tensor(input, [2, channels, size, size]), labels: tensor(labels, [2, 3]) };
        for (const m of model.dropoutMasks) {
          const shape = m.shape.map((d) => (typeof d === 'number' ? d : 2));
          feeds[m.name] = tensor(
            hashDropoutMask(
              shape.reduce((a, b) => a * b, 1),
              m.p,
              [MASK_SEED, 0],
            ),
            shape,
          );
        }
        await session.lazyResetGrad();
        assert.ok(Number.isFinite(await session.runTrainStep(feeds)));
        await session.runOptimizerStep();
        const { logits } = await session.runEvalStep({ input: feeds['input']!, labels: feeds['labels']! });
        assert.equal(logits.length, 2 * 3);
      } finally {
        await session.release();
      }
    });
  }
});
