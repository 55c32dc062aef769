/**
 * Run in a child process by test/train/webgpu.test.ts, with VK_DRIVER_FILES pointing at SwiftShader (Dawn reads
 * it when onnxruntime-node loads). One training step and one SGD step of cifar-small at batch 1, on the CPU
 * provider and on WebGPU with CPU fallback disabled, so that session creation fails if any node of the emitted
 * graphs has no WebGPU kernel. Prints one JSON line: the largest relative error of WebGPU against CPU per model.
 */
import * as ort from 'onnxruntime-node';
import { ninOfTensors } from '../../support/nin-architecture.js';
import { buildNinTrainingArtifacts } from '../../../src/train/nin/forward.js';
import { hashDropoutMask } from '../../../src/train/hash-dropout-mask.js';
import { hyperparameterVectors, ninCifar10Groups } from '../../../src/train/optimizer/parameter-groups.js';
import { LEARNING_RATES_NAME, stateName, WEIGHT_DECAYS_NAME } from '../../../src/train/optimizer/graph-io.js';
import { MOMENTUM_BUFFER, SGD_MOMENTUM_NAME } from '../../../src/train/optimizer/sgd.js';
import {
  Bundle,
  checkpointTensors,
  cifarInput,
  outputsAsFloat32,
  relativeError,
  scalar,
  tensor,
  type Feeds,
} from '../helpers.js';

const bundle = new Bundle('cifar-small');
const initial = checkpointTensors('cifar-small.pth');
const artifacts = buildNinTrainingArtifacts(ninOfTensors(initial), { optimizer: 'sgd' });

const trainFeeds: Feeds = {
  input: tensor(cifarInput(bundle.uint8('images')).subarray(0, 3 * 32 * 32), [1, 3, 32, 32]),
  labels: tensor(bundle.float32('labels').subarray(0, 10), [1, 10]),
};
for (const p of artifacts.parameters) trainFeeds[p.name] = tensor(initial.get(p.name)!.data, p.shape);
for (const m of artifacts.dropoutMasks) {
  const shape = m.shape.map((d) => (typeof d === 'number' ? d : 1));
  trainFeeds[m.name] = tensor(
    hashDropoutMask(
      shape.reduce((a, b) => a * b, 1),
      m.p,
      [1, 0, m.layerIndex],
    ),
    shape,
  );
}

async function run(model: Uint8Array, feeds: Feeds, provider: 'cpu' | 'webgpu'): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(model, {
    executionProviders: [provider],
    extra: { session: { disable_cpu_ep_fallback: provider === 'webgpu' ? '1' : '0' } },
  });
  try {
    return outputsAsFloat32(await session.run(feeds));
  } finally {
    await session.release();
  }
}

function worstError(a: Record<string, Float32Array>, b: Record<string, Float32Array>): number {
  return Math.max(...Object.keys(b).map((name) => relativeError(a[name]!, b[name]!)));
}

const cpu = await run(artifacts.trainingModel, trainFeeds, 'cpu');
const gpu = await run(artifacts.trainingModel, trainFeeds, 'webgpu');

const { learningRates, weightDecays } = hyperparameterVectors(
  artifacts.parameterNames,
  ninCifar10Groups(artifacts.parameterNames),
);
const stepFeeds: Feeds = {
  [LEARNING_RATES_NAME]: tensor(learningRates, [learningRates.length]),
  [WEIGHT_DECAYS_NAME]: tensor(weightDecays, [weightDecays.length]),
  [SGD_MOMENTUM_NAME]: scalar(0.95),
};
for (const p of artifacts.parameters) {
  stepFeeds[p.name] = trainFeeds[p.name]!;
  stepFeeds[`${p.name}_grad`] = tensor(cpu[`${p.name}_grad`]!, p.shape);
  stepFeeds[stateName(p.name, MOMENTUM_BUFFER)] = tensor(cpu[`${p.name}_grad`]!, p.shape);
}
const stepCpu = await run(artifacts.optimizerModel, stepFeeds, 'cpu');
const stepGpu = await run(artifacts.optimizerModel, stepFeeds, 'webgpu');
console.log(
  JSON.stringify({
    training: worstError(gpu, cpu),
    optimizer: worstError(stepGpu, stepCpu),
    outputs: Object.keys(gpu).length,
  }),
);
