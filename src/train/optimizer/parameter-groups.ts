import { isBatchNormAffine } from '../nin/architecture.js';
/**
 * PyTorch-style parameter groups, flattened to the per-parameter vectors that
 * the optimizer graphs take (`learning_rates`, `weight_decays`). Groups live on
 * the TypeScript side, so one optimizer model serves any grouping, and a
 * schedule only changes the numbers fed at each step.
 *
 * @example
 * ```ts
 * import type { OptimizerSettings, ParameterGroup } from 'nin-sdk/train';
 * declare const settings: OptimizerSettings;
 * const groups: readonly ParameterGroup[] = settings.groups;
 * for (const group of groups) console.log(group.name, group.lr, group.weightDecay, group.parameters.length);
 * ```
 */
export interface ParameterGroup {
  readonly name: string;
  readonly parameters: readonly string[];
  readonly lr: number;
  readonly weightDecay: number;
}

export interface HyperparameterVectors {
  readonly learningRates: Float32Array;
  readonly weightDecays: Float32Array;
}

/**
 * One entry per parameter, in `parameterNames` order; every parameter must be
 * in exactly one group. `lrScale` multiplies every rate (a schedule's factor,
 * e.g. 0.1 after 80 epochs), as setting each param_group's lr does in PyTorch.
 */
export function hyperparameterVectors(
  parameterNames: readonly string[],
  groups: readonly ParameterGroup[],
  lrScale = 1,
): HyperparameterVectors {
  const groupOf = new Map<string, ParameterGroup>();
  for (const group of groups) {
    for (const name of group.parameters) {
      const other = groupOf.get(name);
      if (other !== undefined)
        throw new Error(`hyperparameterVectors: ${name} is in groups ${other.name} and ${group.name}`);
      groupOf.set(name, group);
    }
  }
  const learningRates = new Float32Array(parameterNames.length);
  const weightDecays = new Float32Array(parameterNames.length);
  parameterNames.forEach((name, i) => {
    const group = groupOf.get(name);
    if (group === undefined)
      throw new Error(
        `hyperparameterVectors: ${name} is in no group (groups: ${groups.map((g) => g.name).join(', ')})`,
      );
    learningRates[i] = group.lr * lrScale;
    weightDecays[i] = group.weightDecay;
  });
  return { learningRates, weightDecays };
}

/** pytorch-nin-cifar10's SGD momentum. */
export const NIN_CIFAR10_MOMENTUM = 0.95;

/**
 * The pytorch-nin-cifar10 recipe's groups (`original.py`): weights lr 0.1 and
 * weight decay 1e-4, biases lr 0.2 and no decay, the last convolution at
 * lr 0.01 (its weight still decayed, its bias not). `base` is the weights'
 * rate; the others follow from it as in the recipe, the last layer's as base / `lastDivisor` (the recipe's 10).
 */
export function ninCifar10Groups(
  parameterNames: readonly string[],
  lastConv = 'classifier.20',
  base = 0.1,
  lastDivisor = 10,
): ParameterGroup[] {
  const isLast = (name: string): boolean => name.startsWith(`${lastConv}.`);
  const isBias = (name: string): boolean => name.endsWith('.bias');
  const pick = (test: (name: string) => boolean): string[] => parameterNames.filter(test);
  const groups: ParameterGroup[] = [
    {
      name: 'weights',
      parameters: pick((n) => !isLast(n) && !isBias(n) && !isBatchNormAffine(n)),
      lr: base,
      weightDecay: 1e-4,
    },
    {
      name: 'biases',
      parameters: pick((n) => !isLast(n) && isBias(n) && !isBatchNormAffine(n)),
      lr: 2 * base,
      weightDecay: 0,
    },
    {
      name: 'last_weight',
      parameters: pick((n) => isLast(n) && !isBias(n)),
      lr: base / lastDivisor,
      weightDecay: 1e-4,
    },
    { name: 'last_bias', parameters: pick((n) => isLast(n) && isBias(n)), lr: base / lastDivisor, weightDecay: 0 },
  ];
  // A NIN trained with BatchNorms: their γ and β at the weights' rate without decay (decay on γ only shrinks the
  // scale that the next BatchNorm undoes).
  const batchNorm = pick(isBatchNormAffine);
  return batchNorm.length === 0
    ? groups
    : [...groups, { name: 'batchnorm', parameters: batchNorm, lr: base, weightDecay: 0 }];
}
