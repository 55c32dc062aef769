/**
 * Fine-tuning converted registry architectures (not the two NIN families) against PyTorch: the fixture checkpoints
 * of fixtures/arch, recognised by the converter, BatchNorm folded, trained through the generic artifacts and a
 * TrainingSession started from a checkpoint that names the architecture. References: fixtures/make_finetune_fixtures.py.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import {
  ArchitectureError,
  architectureById,
  convertCheckpoint,
  parseArchitectureJson,
} from '../../src/convert/index.js';
import { readCheckpoint } from '../../src/formats/pth/index.js';
import { GraphBuilder, ops, writeOnnx } from '../../src/graph/index.js';
import { buildGradientGraph } from '../../src/train/autodiff/gradient-graph.js';
import { buildTrainingArtifacts } from '../../src/train/artifacts.js';
import { decodeTrainingCheckpoint, encodeTrainingCheckpoint } from '../../src/train/checkpoint/format.js';
import { initialModelCheckpoint } from '../../src/train/checkpoint/state.js';
import { fineTuneForwardModel, fineTuneStart, type FineTuneStart } from '../../src/train/fine-tune.js';
import { hashDropoutMask } from '../../src/train/hash-dropout-mask.js';
import { architectureForwardModel } from '../../src/train/model/architecture-forward.js';
import type { DropoutMaskSpec } from '../../src/train/model/forward-model.js';
import type { SgdSettings } from '../../src/train/optimizer/settings.js';
import { TrainingSession } from '../../src/train/training-session.js';
import { readTrainingStart } from '../../src/train/training-start.js';
import { FIXTURES } from '../support/fixtures.js';
import { Bundle, relativeError, runOnce, tensor, type Feeds } from './helpers.js';

const ARCH = join(FIXTURES, 'arch');
const GRADIENT_TOLERANCE = 1e-4;
const LOSS_TOLERANCE = 1e-4;
const bundle = new Bundle('finetune');
const LABELS = bundle.meta['labels'] as number[];
const MASK_SEED = bundle.meta['maskSeed'] as number;
const MOMENTUM = bundle.meta['momentum'] as number;

interface CaseMeta {
  readonly checkpoint: string;
  readonly input: string;
  readonly lr: number;
  readonly parameters: readonly string[];
}

const CASES: ReadonlyArray<{ key: string; architecture: string }> = [
  { key: 'rasbt', architecture: 'rasbt-nin-batchnorm' },
  { key: 'yang', architecture: 'yangqiongyongyu-nin' },
  { key: 'd2l', architecture: 'd2l-nin' },
];

function startOf(file: string): FineTuneStart {
  return fineTuneStart(readCheckpoint(readFileSync(join(ARCH, file))).tensors);
}

function sgd(start: FineTuneStart, lr: number, trainable = start.tensors.map((t) => t.name)): SgdSettings {
  return {
    kind: 'sgd',
    momentum: MOMENTUM,
    nesterov: false,
    groups: [{ name: 'all', parameters: trainable, lr, weightDecay: 0 }],
  };
}

/** Input, labels and the step's hash masks (keyed as the Python side keys them), batch 2. */
function batchFeeds(
  meta: CaseMeta,
  masks: readonly DropoutMaskSpec[],
  inputShape: readonly (number | string)[],
  step: number,
): Feeds {
  const bytes = readFileSync(join(ARCH, meta.input));
  const input = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const labels = new Float32Array(2 * 10);
  LABELS.forEach((label, i) => (labels[i * 10 + label] = 1));
  const feeds: Feeds = {
    input: tensor(
      input,
      inputShape.map((d) => (typeof d === 'number' ? d : 2)),
    ),
    labels: tensor(labels, [2, 10]),
  };
  for (const m of masks) {
    const shape = m.shape.map((d) => (typeof d === 'number' ? d : 2));
    const size = shape.reduce((a, b) => a * b, 1);
    feeds[m.name] = tensor(hashDropoutMask(size, m.p, [MASK_SEED, step, m.layerIndex]), shape);
  }
  return feeds;
}

describe('fine-tuning registry architectures against PyTorch', () => {
  for (const { key, architecture } of CASES) {
    const meta = bundle.meta[key] as CaseMeta;

    it(`${architecture}: the trainable copy's parameters are PyTorch's folded ones, in order`, () => {
      const start = startOf(meta.checkpoint);
      assert.equal(start.architecture.id, architecture);
      assert.deepEqual(start.spec, { registry: architecture, architecture: architectureById(architecture) });
      assert.deepEqual(
        start.tensors.map((t) => t.name),
        meta.parameters,
      );
    });

    it(`${architecture}: one training step's gradients equal PyTorch autograd's`, async () => {
      const start = startOf(meta.checkpoint);
      const model = fineTuneForwardModel(start);
      const artifacts = buildTrainingArtifacts(model, { optimizer: 'sgd' });
      const feeds = batchFeeds(meta, model.dropoutMasks, model.inputShape, 0);
      for (const [name, t] of start.parameters) feeds[name] = tensor(t.data, t.shape);
      const out = await runOnce(artifacts.trainingModel, feeds);
      const losses = bundle.float32(`${key}/losses`);
      assert.ok(Math.abs(out['loss']![0]! - losses[0]!) <= LOSS_TOLERANCE * Math.abs(losses[0]!), 'loss');
      for (const name of meta.parameters) {
        const error = relativeError(out[`${name}_grad`]!, bundle.float32(`${key}/grad/${name}`));
        assert.ok(error <= GRADIENT_TOLERANCE, `${name}: relative error ${error}`);
      }
    });

    it(`${architecture}: a TrainingSession from its checkpoint steps as torch.optim.SGD does, and the loss falls`, async () => {
      const start = startOf(meta.checkpoint);
      const checkpoint = initialModelCheckpoint(start.spec, start.tensors, sgd(start, meta.lr), start.parameters);
      // Through the file format: the architecture and the layout are all a session needs to rebuild the artifacts.
      const session = await TrainingSession.fromCheckpoint(encodeTrainingCheckpoint(checkpoint), {
        ort,
        platform: 'node',
      });
      const model = fineTuneForwardModel(start);
      try {
        const expected = bundle.float32(`${key}/losses`);
        const losses: number[] = [];
        for (let step = 0; step < expected.length; step++) {
          await session.lazyResetGrad();
          losses.push(await session.runTrainStep(batchFeeds(meta, model.dropoutMasks, model.inputShape, step)));
          await session.runOptimizerStep();
        }
        losses.forEach((loss, i) =>
          assert.ok(
            Math.abs(loss - expected[i]!) <= LOSS_TOLERANCE * Math.abs(expected[i]!),
            `step ${i}: loss ${loss}, PyTorch ${expected[i]}`,
          ),
        );
        assert.ok(losses[losses.length - 1]! < losses[0]!, `the loss falls: ${losses.join(', ')}`);
      } finally {
        await session.release();
      }
    });
  }

  it('an architecture of the user’s own (nin-convert --arch JSON) is kept whole in the checkpoint and trains', async () => {
    const architecture = parseArchitectureJson(readFileSync(join(ARCH, 'kuangliu-style-nin.json'), 'utf8'));
    const tensors = readCheckpoint(readFileSync(join(ARCH, 'kuangliu-style-ckpt.pth'))).tensors;
    const start = fineTuneStart(tensors, { architecture });
    assert.deepEqual(start.spec, { custom: architecture });
    const checkpoint = initialModelCheckpoint(start.spec, start.tensors, sgd(start, 0.01), start.parameters);
    const decoded = decodeTrainingCheckpoint(encodeTrainingCheckpoint(checkpoint));
    assert.deepEqual(decoded.architecture, { custom: architecture });
    const session = await TrainingSession.fromCheckpoint(decoded, { ort, platform: 'node' });
    const model = fineTuneForwardModel(start);
    const bytes = readFileSync(join(ARCH, 'kuangliu-style-ckpt.input.bin'));
    const input = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const labels = new Float32Array(20);
    LABELS.forEach((label, i) => (labels[i * 10 + label] = 1));
    try {
      const losses: number[] = [];
      for (let step = 0; step < 4; step++) {
        const feeds: Feeds = { input: tensor(input, [2, 3, 32, 32]), labels: tensor(labels, [2, 10]) };
        for (const m of model.dropoutMasks) {
          const shape = m.shape.map((d) => (typeof d === 'number' ? d : 2));
          feeds[m.name] = tensor(
            hashDropoutMask(
              shape.reduce((a, b) => a * b, 1),
              m.p,
              [MASK_SEED, step],
            ),
            shape,
          );
        }
        await session.lazyResetGrad();
        losses.push(await session.runTrainStep(feeds));
        await session.runOptimizerStep();
      }
      assert.ok(losses[3]! < 0.97 * losses[0]!, `the loss falls: ${losses.join(', ')}`);
    } finally {
      await session.release();
    }
  });

  for (const file of ['rasbt-nin-batchnorm-small.pth', 'functional-zoo-nin-small.pth']) {
    it(`an ONNX model nin-convert wrote of ${file} starts the same fine-tuning as the checkpoint`, async () => {
      const bytes = readFileSync(join(ARCH, file));
      const { onnx } = await convertCheckpoint(bytes);
      const fromOnnx = readTrainingStart(onnx, `${file}.onnx`);
      const fromPth = readTrainingStart(bytes, file);
      assert.deepEqual(fromOnnx.architecture, fromPth.architecture);
      assert.deepEqual(fromOnnx.tensors, fromPth.tensors);
      for (const t of fromPth.tensors)
        assert.deepEqual(fromOnnx.parameters.get(t.name)!.data, fromPth.parameters.get(t.name)!.data, t.name);
      assert.deepEqual(fromOnnx.labels, fromPth.labels);
    });
  }

  it('frozen parameters are fed but neither differentiated nor updated', async () => {
    const meta = bundle.meta['rasbt'] as CaseMeta;
    const start = startOf(meta.checkpoint);
    const trainable = ['classifier.28.weight', 'classifier.28.bias'];
    const frozen = start.tensors.map((t) => t.name).filter((n) => !trainable.includes(n));
    const model = fineTuneForwardModel(start, { frozen });
    const artifacts = buildTrainingArtifacts(model, { optimizer: 'sgd' });
    assert.deepEqual(artifacts.trainableNames, trainable);
    const checkpoint = initialModelCheckpoint(
      start.spec,
      start.tensors,
      sgd(start, 0.05, trainable),
      start.parameters,
      frozen,
    );
    const decoded = decodeTrainingCheckpoint(encodeTrainingCheckpoint(checkpoint));
    assert.deepEqual(decoded.frozen, frozen);
    const session = await TrainingSession.fromCheckpoint(decoded, { ort, platform: 'node' });
    try {
      assert.equal(session.getParametersSize(true), 10 * 16 + 10);
      assert.equal(session.getParametersSize(false), checkpoint.parameters.length);
      const losses: number[] = [];
      for (let step = 0; step < 4; step++) {
        await session.lazyResetGrad();
        losses.push(await session.runTrainStep(batchFeeds(meta, model.dropoutMasks, model.inputShape, step)));
        await session.runOptimizerStep();
      }
      assert.ok(losses[3]! < 0.97 * losses[0]!, `the loss falls: ${losses.join(', ')}`);
      const state = await session.getState();
      const before = new Map(start.tensors.map((t, i) => [t.name, i]));
      let offset = 0;
      for (const t of start.tensors) {
        const length = t.shape.reduce((a, b) => a * b, 1);
        const now = state.parameters.subarray(offset, offset + length);
        const was = start.parameters.get(t.name)!.data;
        const changed = now.some((v, i) => v !== was[i]);
        assert.equal(changed, trainable.includes(t.name), `${t.name} (#${before.get(t.name)}) changed: ${changed}`);
        offset += length;
      }
    } finally {
      await session.release();
    }
  });

  it('nn.Linear trains through MatMul and Transpose: gradients equal PyTorch autograd’s', async () => {
    const g = new GraphBuilder({ name: 'linear' });
    const x = g.input('x', 'float32', [2, 5]);
    const w = g.input('w', 'float32', [3, 5]);
    const b = g.input('b', 'float32', [3]);
    const dy = g.input('dy', 'float32', [2, 3]);
    const y = ops.add(g, ops.matMul(g, x, ops.transpose(g, w, [1, 0])), b, { name: 'y' });
    g.output(y, 'y');
    g.output(ops.identity(g, dy, { name: 'seed' }), 'seed');
    const graph = buildGradientGraph(g.build(), { wrt: ['x', 'w', 'b'], seed: { value: 'y', gradient: 'seed' } });
    const feeds: Feeds = {};
    for (const [name, shape] of [
      ['x', [2, 5]],
      ['w', [3, 5]],
      ['b', [3]],
      ['dy', [2, 3]],
    ] as const)
      feeds[name] = tensor(bundle.float32(`linear/${name}`), shape);
    const out = await runOnce(writeOnnx(graph), feeds);
    for (const [grad, ref] of [
      ['x_grad', 'dx'],
      ['w_grad', 'dw'],
      ['b_grad', 'db'],
    ] as const) {
      const error = relativeError(out[grad]!, bundle.float32(`linear/${ref}`));
      assert.ok(error <= 1e-6, `${grad}: relative error ${error}`);
    }
  });

  it('refuses what has no trainable form, naming it', () => {
    assert.throws(
      () => startOf('xnor-net-nin-small.pth.tar'),
      (e: unknown) =>
        e instanceof ArchitectureError &&
        e.message ===
          'XNOR-Net-PyTorch NIN (CIFAR-10): BatchNorm xnor.3.bn follows no convolution, so it cannot be folded for training',
    );
    // An op without a gradient rule (XNOR-Net's sign activation) is refused by the autodiff, by name.
    const xnor = architectureById('xnor-net-nin')!;
    const signOnly = {
      ...xnor,
      layers: [
        { kind: 'conv', name: 'c', kernel: 1, stride: 1, padding: 0, bias: true },
        { kind: 'sign', name: 's' },
        { kind: 'adaptiveAvgPool', name: 'p', outputSize: 1 },
      ] as typeof xnor.layers,
    };
    const model = architectureForwardModel(signOnly, [
      { name: 'c.weight', shape: [10, 3, 1, 1] },
      { name: 'c.bias', shape: [10] },
    ]);
    const binarised = {
      ...xnor,
      layers: [{ kind: 'conv', name: 'c', kernel: 1, stride: 1, padding: 0, bias: true, weights: 'xnor-binarized' }],
    } as typeof xnor;
    assert.throws(
      () => architectureForwardModel(binarised, [{ name: 'c.weight', shape: [10, 3, 1, 1] }]),
      /^UntrainableArchitectureError: XNOR-Net-PyTorch NIN \(CIFAR-10\): c uses XNOR-Net's binarised weights, which have no gradient here$/,
    );
    assert.throws(
      () => buildTrainingArtifacts(model, { optimizer: 'sgd' }),
      /^GradientError: no gradient rule for Sign \(node s\.sign\); rules exist for Add, /,
    );
  });
});
