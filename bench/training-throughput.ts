import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { NIN_CIFAR10 } from '../src/convert/index.js';
import { dropoutMask, Random } from '../src/train/data/index.js';
import {
  ninForwardModel,
  architectureFromWidths,
  dropoutLayers,
  exportPytorchCheckpoint,
  initialCheckpoint,
  initialParameters,
  recipeOptimizer,
} from '../src/train/index.js';
import { openNodeTrainingSession } from '../src/train/node/index.js';
import { checkpointParameters } from '../src/train/checkpoint/state.js';
import { ninParameters } from '../src/train/nin/architecture.js';
import { type DropoutLayer } from '../src/train/loop/feeds.js';
import { seededBatch } from './seeded-input.js';
import { trainingMultiplyAdds } from './training-flops.js';
import type { TorchTrainWorker } from './torch-train-worker.js';

/** Each side's timed steps come in this many turns per case (alternating), so that both meet the same load. */
const TURNS_PER_CASE = 6;
const WARM_UP_STEPS = 1;
/**
 * The recipe's groups at a small base rate: both sides train on one batch over and over, and at the recipe's 0.1
 * the weights could run off to infinities, whose arithmetic is not what a real run times.
 */
const BENCH_BASE_LR = 1e-3;
const CLASSES = 10;

export interface TrainingThroughputCase {
  readonly widths: readonly number[];
  readonly batch: number;
  /** Seconds of each timed training step (Dropout masks drawn, train model, optimizer model; PyTorch: zero_grad … step). */
  readonly ortStepSeconds: readonly number[];
  readonly torchStepSeconds: readonly number[];
  /** Eval-mode loss of the starting weights on the batch, both sides: proof that both train the same model. */
  readonly evalLoss: { readonly ort: number; readonly torch: number };
  /** Multiply-adds of one image's training step (forward, weight and input gradients of the convolutions). */
  readonly multiplyAddsPerImage: number;
  /** Replicas of our training model, each on a share of the batch with one thread (1: one session, all threads). */
  readonly replicas: number;
}

export interface TrainingThroughputSettings {
  readonly secondsPerCase: number;
  readonly minimumSteps: number;
  readonly threads: number;
}

/**
 * One training step of a pytorch-nin-cifar10 NIN at batch `batch`: nin-sdk's TrainingSession on onnxruntime-node,
 * CPU, opened with `threads` threads as `nin-sdk train` opens it (openNodeTrainingSession: replicas), against torch.optim.SGD on the same starting weights, batch, parameter groups
 * and momentum. Our step includes drawing its Dropout masks in TypeScript, since PyTorch's includes drawing its own.
 */
export async function runTrainingThroughputCase(
  widths: readonly number[],
  batch: number,
  torch: TorchTrainWorker,
  settings: TrainingThroughputSettings,
  scratchDir: string,
): Promise<TrainingThroughputCase> {
  const architecture = architectureFromWidths(NIN_CIFAR10, widths);
  const names = ninParameters(architecture).map((p) => p.name);
  const optimizer = recipeOptimizer('sgd', names, 'classifier.20', BENCH_BASE_LR);
  if (optimizer.kind !== 'sgd') throw new Error('internal: the bench trains with SGD');
  const checkpoint = initialCheckpoint(architecture, optimizer, initialParameters(architecture, 'he', 0));
  const input = seededBatch(batch * 3 * 32 * 32, 4242 + batch, -2, 2);
  const labels = Int32Array.from({ length: batch }, (_, i) => (i * 7) % CLASSES);
  const targets = new Float32Array(batch * CLASSES);
  labels.forEach((label, i) => (targets[i * CLASSES + label] = 1));

  const tag = `${widths.join('-')}-b${batch}`;
  const files = {
    checkpoint: join(scratchDir, `train-${tag}.pth`),
    input: join(scratchDir, `train-${tag}.f32`),
    labels: join(scratchDir, `train-${tag}.i32`),
  };
  writeFileSync(files.checkpoint, exportPytorchCheckpoint(checkpointParameters(checkpoint)));
  writeFileSync(files.input, new Uint8Array(input.buffer));
  writeFileSync(files.labels, new Uint8Array(labels.buffer));
  const torchEvalLoss = await torch.setup({
    ...files,
    shape: [batch, 3, 32, 32],
    groups: optimizer.groups,
    momentum: optimizer.momentum,
  });

  const { session, replicas } = await openNodeTrainingSession(checkpoint, { ort, platform: 'node' }, settings.threads);
  try {
    const feeds = {
      input: new ort.Tensor('float32', input, [batch, 3, 32, 32]),
      labels: new ort.Tensor('float32', targets, [batch, CLASSES]),
    };
    const ortEvalLoss = (await session.runEvalStep(feeds)).loss;
    const layers = dropoutLayers(ninForwardModel(architecture));
    const random = Random.fromSeed(1);
    const step = async (): Promise<number> => {
      const t0 = process.hrtime.bigint();
      await session.lazyResetGrad();
      await session.runTrainStep({ ...feeds, ...masks(layers, batch, random) });
      await session.runOptimizerStep();
      return Number(process.hrtime.bigint() - t0) / 1e9;
    };
    const ortSteps = async (seconds: number, minimum: number): Promise<number[]> => {
      const runSeconds: number[] = [];
      const started = performance.now();
      while (runSeconds.length < minimum || performance.now() - started < seconds * 1000) runSeconds.push(await step());
      return runSeconds;
    };
    await ortSteps(0, WARM_UP_STEPS);
    await torch.timeSteps(0, WARM_UP_STEPS);

    const turnSeconds = settings.secondsPerCase / TURNS_PER_CASE;
    const sides = [
      { steps: (): Promise<number[]> => ortSteps(turnSeconds, 1), seconds: [] as number[] },
      {
        steps: async (): Promise<number[]> => (await torch.timeSteps(turnSeconds, 1)).runSeconds,
        seconds: [] as number[],
      },
    ] as const;
    const enough = (): boolean => sides.every((s) => s.seconds.length >= settings.minimumSteps);
    const started = performance.now();
    for (let pair = 0; !enough() || performance.now() - started < settings.secondsPerCase * 1000; pair++) {
      for (const side of pair % 2 === 0 ? sides : [...sides].reverse()) side.seconds.push(...(await side.steps()));
    }
    return {
      widths,
      batch,
      ortStepSeconds: sides[0].seconds,
      torchStepSeconds: sides[1].seconds,
      evalLoss: { ort: ortEvalLoss, torch: torchEvalLoss },
      multiplyAddsPerImage: trainingMultiplyAdds(ninForwardModel(architecture).train),
      replicas,
    };
  } finally {
    await session.release();
  }
}

function masks(layers: readonly DropoutLayer[], batch: number, random: Random): Record<string, ort.Tensor> {
  return Object.fromEntries(
    layers.map((layer) => {
      const count = batch * layer.shape.reduce((a, b) => a * b, 1);
      return [layer.name, new ort.Tensor('float32', dropoutMask(random, count, layer.p), [batch, ...layer.shape])];
    }),
  );
}
