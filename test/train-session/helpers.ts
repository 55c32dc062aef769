import * as ort from 'onnxruntime-node';
import { NIN_CIFAR10 } from '../../src/convert/index.js';
import { CIFAR10_PREPROCESSING } from '../../src/preprocess/index.js';
import type { ImageDataset } from '../../src/train/data/index.js';
import {
  architectureFromWidths,
  initialCheckpoint,
  initialParameters,
  recipeOptimizer,
  type NinArchitecture,
  type OptimizerSettings,
  type TrainingCheckpoint,
} from '../../src/train/index.js';
import { isRunningStatistic, ninParameters } from '../../src/train/nin/architecture.js';

/** A NIN small enough that a step takes milliseconds: every hidden width 8. */
export const TINY_WIDTHS = [8, 8, 8, 8, 8, 8, 8, 8, 10] as const;
export const TINY: NinArchitecture = architectureFromWidths(NIN_CIFAR10, TINY_WIDTHS);

export function tinyOptimizer(kind: 'sgd' | 'adamw', baseLr = kind === 'sgd' ? 0.05 : 1e-3): OptimizerSettings {
  return recipeOptimizer(
    kind,
    TINY.convs.flatMap((c) => [`classifier.${c.layerIndex}.weight`, `classifier.${c.layerIndex}.bias`]),
    'classifier.20',
    baseLr,
  );
}

export function tinyCheckpoint(kind: 'sgd' | 'adamw', seed = 1): TrainingCheckpoint {
  return initialCheckpoint(TINY, tinyOptimizer(kind), initialParameters(TINY, 'he', seed));
}

/** The tiny NIN with BatchNorm after every conv but the last (`--batch-norm`), its recipe's SGD groups at `baseLr`. */
export function tinyBatchNormCheckpoint(seed = 3, baseLr = 0.1): TrainingCheckpoint {
  const architecture = architectureFromWidths(NIN_CIFAR10, TINY_WIDTHS, { batchNorm: true });
  const names = ninParameters(architecture).map((p) => p.name);
  const trained = names.filter((name) => !isRunningStatistic(name));
  const optimizer = recipeOptimizer('sgd', trained, 'classifier.20', baseLr);
  return initialCheckpoint(architecture, optimizer, initialParameters(architecture, 'he', seed));
}

export const sessionOptions = { ort, platform: 'node' as const, sessionOptions: { intraOpNumThreads: 1 } };

/** Deterministic pseudo-random numbers (a linear congruential generator): test inputs need variety, not quality. */
export function pseudoRandom(length: number, seed: number, scale = 1): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state / 2 ** 32 - 0.5) * 2 * scale;
  });
}

/** A synthetic CIFAR-sized batch: input, one-hot labels and 0/1 Dropout masks of the tiny net. */
export function syntheticBatch(size: number, seed: number): Record<string, ort.Tensor> {
  const labels = new Float32Array(size * 10);
  for (let i = 0; i < size; i++) labels[i * 10 + ((i * 7 + seed) % 10)] = 1;
  const mask = (shape: number[], s: number) =>
    new ort.Tensor(
      'float32',
      pseudoRandom(
        shape.reduce((a, b) => a * b, 1),
        s,
      ).map((v) => (v > 0 ? 1 : 0)),
      shape,
    );
  return {
    input: new ort.Tensor('float32', pseudoRandom(size * 3 * 32 * 32, seed, 2), [size, 3, 32, 32]),
    labels: new ort.Tensor('float32', labels, [size, 10]),
    'classifier.7.mask': mask([size, 8, 16, 16], seed + 1),
    'classifier.15.mask': mask([size, 8, 8, 8], seed + 2),
  };
}

/** `count` CIFAR-sized images of 10 classes, every pixel from a seeded sequence. */
export function syntheticCifar(count: number, seed = 3): ImageDataset {
  const pixels = Uint8Array.from(pseudoRandom(count * 32 * 32 * 3, seed), (v) => Math.floor((v + 1) * 127.5));
  const labels = Uint16Array.from({ length: count }, (_, i) => i % 10);
  return { imageSize: 32, count, pixels, labels, classNames: NIN_CIFAR10.labels };
}

export const CIFAR_SPEC = CIFAR10_PREPROCESSING;

export function assertBitEqual(actual: Float32Array, expected: Float32Array, what: string): void {
  if (actual.length !== expected.length)
    throw new Error(`${what}: ${actual.length} values, expected ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i]))
      throw new Error(`${what}: value ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}
