/**
 * Run in a child process by webgpu.test.ts, with VK_DRIVER_FILES pointing at SwiftShader (Dawn reads it when
 * onnxruntime-node loads). Two TrainingSession steps and an eval step of the tiny NIN at batch 2, once on the CPU
 * provider and once on WebGPU with CPU fallback disabled. Prints one JSON line: the provider each session
 * reported, and the largest relative error of WebGPU's parameters, momentum buffers and logits against CPU's.
 */
import { TrainingSession } from '../../../src/train/index.js';
import { type Feeds } from '../../../src/train/training-session.js';
import { relativeError } from '../../train/helpers.js';
import { sessionOptions, syntheticBatch, tinyCheckpoint } from '../helpers.js';

async function train(provider: 'cpu' | 'webgpu') {
  const session = await TrainingSession.fromCheckpoint(tinyCheckpoint('sgd', 3), {
    ...sessionOptions,
    providers: [provider],
    strict: true,
    sessionOptions: { extra: { session: { disable_cpu_ep_fallback: provider === 'webgpu' ? '1' : '0' } } },
  });
  try {
    for (const seed of [1, 2]) {
      await session.lazyResetGrad();
      await session.runTrainStep(syntheticBatch(2, seed));
      await session.runOptimizerStep({ learningRateScale: 0.5 });
    }
    const batch: Feeds = syntheticBatch(2, 3);
    const { logits } = await session.runEvalStep({ input: batch['input']!, labels: batch['labels']! });
    const state = await session.getState();
    return {
      provider: session.provider,
      parameters: state.parameters,
      momentum: state.optimizerState['momentum_buffer']!,
      logits,
    };
  } finally {
    await session.release();
  }
}

const cpu = await train('cpu');
const webgpu = await train('webgpu');
console.log(
  JSON.stringify({
    providers: [cpu.provider, webgpu.provider],
    parameters: relativeError(webgpu.parameters, cpu.parameters),
    momentum: relativeError(webgpu.momentum, cpu.momentum),
    logits: relativeError(webgpu.logits, cpu.logits),
  }),
);
