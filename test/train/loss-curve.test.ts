/**
 * Fifty SGD steps on 256 CIFAR-10 images, training_model.onnx and
 * optimizer_model.onnx on onnxruntime-node, against PyTorch's loss curve for
 * the same weights, batches and dropout masks (fixtures/training/cifar-subset).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { ninOfTensors } from '../support/nin-architecture.js';
import { buildNinTrainingArtifacts } from '../../src/train/nin/forward.js';
import { hashDropoutMask } from '../../src/train/hash-dropout-mask.js';
import {
  hyperparameterVectors,
  NIN_CIFAR10_MOMENTUM,
  ninCifar10Groups,
} from '../../src/train/optimizer/parameter-groups.js';
import { LEARNING_RATES_NAME, stateName, updatedName, WEIGHT_DECAYS_NAME } from '../../src/train/optimizer/graph-io.js';
import { MOMENTUM_BUFFER, SGD_MOMENTUM_NAME } from '../../src/train/optimizer/sgd.js';
import { Bundle, checkpointTensors, cifarInput, outputsAsFloat32, scalar, tensor, type Feeds } from './helpers.js';

const TOLERANCE = 1e-3;

it('50 SGD steps (recipe groups and momentum) follow PyTorch loss curve within 1e-3', async (t) => {
  const bundle = new Bundle('cifar-subset');
  const {
    steps,
    batch,
    base_lr: baseLr,
    mask_seed: maskSeed,
  } = bundle.meta as { steps: number; batch: number; base_lr: number; mask_seed: number };
  const expected = bundle.float32('losses');
  const images = cifarInput(bundle.uint8('images'));
  const labels = bundle.float32('labels');
  const [count, channels, height, width] = bundle.shape('images') as [number, number, number, number];
  const classes = bundle.shape('labels')[1]!;
  const imageSize = channels * height * width;

  const initial = checkpointTensors('cifar-small.pth');
  const artifacts = buildNinTrainingArtifacts(ninOfTensors(initial), { optimizer: 'sgd' });
  const { learningRates, weightDecays } = hyperparameterVectors(
    artifacts.parameterNames,
    ninCifar10Groups(artifacts.parameterNames, 'classifier.20', baseLr),
  );
  const params = new Map<string, Float32Array>(artifacts.parameters.map((p) => [p.name, initial.get(p.name)!.data]));
  const buffers = new Map<string, Float32Array>(
    artifacts.parameters.map((p) => [p.name, new Float32Array(params.get(p.name)!.length)]),
  );
  const training = await ort.InferenceSession.create(artifacts.trainingModel);
  const optimizer = await ort.InferenceSession.create(artifacts.optimizerModel);
  const losses: number[] = [];
  try {
    for (let step = 0; step < steps; step++) {
      const start = (step % Math.floor(count / batch)) * batch;
      const feeds: Feeds = {
        input: tensor(images.subarray(start * imageSize, (start + batch) * imageSize), [
          batch,
          channels,
          height,
          width,
        ]),
        labels: tensor(labels.subarray(start * classes, (start + batch) * classes), [batch, classes]),
      };
      for (const p of artifacts.parameters) feeds[p.name] = tensor(params.get(p.name)!, p.shape);
      for (const m of artifacts.dropoutMasks) {
        const shape = m.shape.map((d) => (typeof d === 'number' ? d : batch));
        feeds[m.name] = tensor(
          hashDropoutMask(
            shape.reduce((a, b) => a * b, 1),
            m.p,
            [maskSeed, step, m.layerIndex],
          ),
          shape,
        );
      }
      const result = outputsAsFloat32(await training.run(feeds));
      losses.push(result['loss']![0]!);

      const update: Feeds = {
        [LEARNING_RATES_NAME]: tensor(learningRates, [learningRates.length]),
        [WEIGHT_DECAYS_NAME]: tensor(weightDecays, [weightDecays.length]),
        [SGD_MOMENTUM_NAME]: scalar(NIN_CIFAR10_MOMENTUM),
      };
      for (const p of artifacts.parameters) {
        update[p.name] = feeds[p.name]!;
        update[`${p.name}_grad`] = tensor(result[`${p.name}_grad`]!, p.shape);
        update[stateName(p.name, MOMENTUM_BUFFER)] = tensor(buffers.get(p.name)!, p.shape);
      }
      const next = outputsAsFloat32(await optimizer.run(update));
      for (const p of artifacts.parameters) {
        params.set(p.name, next[updatedName(p.name)]!);
        buffers.set(p.name, next[updatedName(stateName(p.name, MOMENTUM_BUFFER))]!);
      }
    }
  } finally {
    await training.release();
    await optimizer.release();
  }
  const differences = losses.map((l, i) => Math.abs(l - expected[i]!));
  const worst = Math.max(...differences);
  t.diagnostic(
    `loss ${losses[0]!.toFixed(4)} → ${losses[steps - 1]!.toFixed(4)}; largest difference from PyTorch ${worst.toExponential(2)} (step ${differences.indexOf(worst)})`,
  );
  assert.ok(
    worst <= TOLERANCE,
    `loss curve differs from PyTorch by ${worst}: ${losses.map((l) => l.toFixed(4)).join(' ')}`,
  );
});
