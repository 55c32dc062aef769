import type { OptimizerKind } from '../artifacts.js';
import { ninCifar10Groups, NIN_CIFAR10_MOMENTUM, type ParameterGroup } from '../optimizer/parameter-groups.js';
import type { OptimizerSettings } from '../optimizer/settings.js';

/**
 * How the learning rate moves over a run:
 *   'step'   pytorch-nin-cifar10's: ×0.1 at the start of epochs 80, 160, 240 … (`if epoch % 80 == 0` before
 *            training that epoch), for the recipe's 319 epochs;
 *   'linear' fixtures/default-model/train.py's, for short runs: a linear warm-up over the first epoch, then a
 *            linear decay to 0 at the last step.
 *   'cosine' the same warm-up, then a half cosine to 0 at the last step (Loshchilov & Hutter's SGDR without
 *            restarts): longer at high rates than 'linear', and gentler at the end.
 *
 * @example
 * ```ts
 * import type { ScheduleKind } from 'nin-sdk/train';
 * const schedule: ScheduleKind = 'cosine';
 * ```
 */
export type ScheduleKind = 'step' | 'linear' | 'cosine';
export const SCHEDULE_KINDS: readonly ScheduleKind[] = ['step', 'linear', 'cosine'];

/**
 * How parameters start when no --from is given: the recipe's N(0, 0.05) weights, or He (Kaiming normal, fan-in) as
 * train.py. Biases 0.
 *
 * @example
 * ```ts
 * import { initialParameters, type InitKind, type NinArchitecture } from 'nin-sdk/train';
 * declare const architecture: NinArchitecture;
 * const kind: InitKind = 'he';
 * const parameters = initialParameters(architecture, kind, 1);
 * ```
 */
export type InitKind = 'normal' | 'he';
export const INIT_KINDS: readonly InitKind[] = ['normal', 'he'];

/**
 * The settings of a training run, saved in its checkpoint so that a resumed run continues with the same ones.
 *
 * @example
 * ```ts
 * import type { TrainingCheckpoint, TrainingRecipe } from 'nin-sdk/train';
 * declare const checkpoint: TrainingCheckpoint;
 * const recipe: TrainingRecipe | undefined = checkpoint.progress?.recipe;
 * console.log(recipe?.epochs, recipe?.batchSize, recipe?.schedule);
 * ```
 */
export interface TrainingRecipe {
  readonly schedule: ScheduleKind;
  readonly epochs: number;
  readonly batchSize: number;
  /** The weights' learning rate; the other groups follow from it (see recipeOptimizer). */
  readonly baseLr: number;
  /** Seeds the data order, crops, flips and Dropout masks, and the initial weights. */
  readonly seed: number;
  /** 'from' when the run started from a model file. */
  readonly init: InitKind | 'from';
  /**
   * With init 'from': the SHA-256 (hex) of that file, so that a resume given the same --from can tell it is the
   * same model. Absent from checkpoints written before it was recorded.
   */
  readonly startModelSha256?: string;
  /** Random crops of the 4-pixel-padded image and horizontal flips (train.py's augmentation). */
  readonly augment: boolean;
  /**
   * Label smoothing ε: the targets are (1 − ε)·one-hot + ε/classes, as F.cross_entropy(label_smoothing=ε).
   * Absent: 0 (plain one-hot targets).
   */
  readonly labelSmoothing?: number;
  /** A `Train Epoch` line every this many batches (the original logs every 100). */
  readonly logEvery: number;
  /**
   * The fraction of the training data held out (stratified, drawn with `seed`) to choose the best epoch by, when no
   * test set is given (--val). Absent: none.
   */
  readonly validation?: number;
}

/** pytorch-nin-cifar10's 319 epochs (`for epoch in range(1, 320)`), batch 128, weights' lr 0.1. */
export const NIN_CIFAR10_RECIPE: Omit<TrainingRecipe, 'seed' | 'init'> = Object.freeze({
  schedule: 'step',
  epochs: 319,
  batchSize: 128,
  baseLr: 0.1,
  augment: true,
  logEvery: 100,
});

/** pytorch-nin-cifar10's output channels of its first 8 convolutions; the 9th is the class count. */
export const NIN_CIFAR10_HIDDEN_WIDTHS: readonly number[] = Object.freeze([192, 160, 96, 192, 192, 192, 192, 192]);

export const DEFAULT_BASE_LR: Readonly<Record<OptimizerKind, number>> = Object.freeze({ sgd: 0.1, adamw: 1e-3 });
/**
 * The weights' rate when a run starts from trained weights (--from): a tenth of the from-scratch one, as the
 * recipe's own rate undoes what was learnt (pytorchcv's CIFAR-10 weights diverge at 0.1).
 */
export const DEFAULT_FINE_TUNE_LR: Readonly<Record<OptimizerKind, number>> = Object.freeze({ sgd: 0.01, adamw: 1e-4 });
/**
 * The last layer's rate, as the weights' divided by this, when it is a new classifier (fine-tuning to other classes):
 * the recipe's tenth suits a trained last layer; a fresh one starts from nothing and learns at the weights' full
 * rate (0.01 with SGD's fine-tuning default: the recipe's own from-scratch rate for its last convolution).
 */
export const NEW_CLASSIFIER_LR_DIVISOR = 1;
/** AdamW's decoupled weight decay on weights (PyTorch's default); biases get none, as in the SGD recipe. */
export const ADAMW_WEIGHT_DECAY = 1e-2;

/**
 * The optimizer of the recipe: SGD with momentum 0.95 and the pytorch-nin-cifar10 groups (weights at `baseLr` with
 * decay 1e-4, biases at 2·baseLr, the last convolution at baseLr/10); or AdamW (β 0.9/0.999, ε 1e-8) with weights at
 * `baseLr` and decay 1e-2, biases at 2·baseLr without decay, the last convolution at baseLr/10. `lastLayerDivisor`
 * sets another rate for the last layer (NEW_CLASSIFIER_LR_DIVISOR for a freshly initialised classifier).
 *
 * @param kind - 'sgd' or 'adamw'
 * @param parameterNames - every trainable parameter's name (weights end in `.weight`, biases in `.bias`)
 * @param lastConv - the last convolution's name (`classifier.20` in pytorch-nin-cifar10), whose rate is divided
 * @param baseLr - the weights' learning rate
 * @param lastLayerDivisor - what the last layer's rate is divided by (default 10)
 * @returns the optimizer's settings, parameter group by group
 * @example
 * ```ts
 * import { architectureFromWidths, NIN_CIFAR10, ninForwardModel, recipeOptimizer } from 'nin-sdk/train';
 * const architecture = architectureFromWidths(NIN_CIFAR10, [192, 160, 96, 192, 192, 192, 192, 192, 10]);
 * const names = ninForwardModel(architecture).parameters.map((p) => p.name);
 * const sgd = recipeOptimizer('sgd', names, 'classifier.20', 0.1);
 * ```
 */
export function recipeOptimizer(
  kind: OptimizerKind,
  parameterNames: readonly string[],
  lastConv: string,
  baseLr: number,
  lastLayerDivisor = 10,
): OptimizerSettings {
  const groups = ninCifar10Groups(parameterNames, lastConv, baseLr, lastLayerDivisor);
  if (kind === 'sgd') return { kind, groups, momentum: NIN_CIFAR10_MOMENTUM, nesterov: false };
  const adamGroups: ParameterGroup[] = groups.map((g) => ({
    ...g,
    weightDecay: g.weightDecay === 0 ? 0 : ADAMW_WEIGHT_DECAY,
  }));
  return { kind, groups: adamGroups, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
}

/**
 * The factor on every group's learning rate for the optimizer step of batch `batchIndex` (from 0) of epoch
 * `epoch` (from 1, as logged).
 */
export function learningRateScale(
  recipe: Pick<TrainingRecipe, 'schedule' | 'epochs'>,
  epoch: number,
  batchIndex: number,
  batchesPerEpoch: number,
): number {
  if (recipe.schedule === 'step') return 0.1 ** Math.floor(epoch / 80);
  const step = (epoch - 1) * batchesPerEpoch + batchIndex;
  const total = batchesPerEpoch * recipe.epochs;
  const warmUp = (step + 1) / batchesPerEpoch;
  // A one-epoch run has no decay phase (train.py divides by zero there and gets +inf, i.e. warm-up only).
  if (total === batchesPerEpoch || step < batchesPerEpoch) return Math.min(warmUp, 1);
  // The fraction of the decay phase before this step: 0 at its first step, just under 1 at the last.
  if (recipe.schedule === 'cosine')
    return 0.5 * (1 + Math.cos((Math.PI * (step - batchesPerEpoch)) / (total - batchesPerEpoch)));
  // train.py: scale = min((step + 1) / steps_per_epoch, (total − step) / (total − steps_per_epoch)).
  return Math.min(warmUp, (total - step) / (total - batchesPerEpoch));
}
