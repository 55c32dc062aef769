import type { Architecture } from '../../convert/index.js';
import {
  architectureFromWidths,
  isRunningStatistic,
  NIN_FAMILIES,
  ninFamilyById,
  ninParameters,
  type NinArchitecture,
  type ParameterSpec,
} from '../nin/architecture.js';
import { OPTIMIZER_STATE_KEYS, type OptimizerSettings } from '../optimizer/settings.js';
import type { TrainingProgress } from './progress.js';

/**
 * Which NIN: the registry id of its pytorch-nin entry (NIN_FAMILIES: `cifar10`, `imagenet`) and the output channels of
 * each convolution, in layer order (the last is the class count).
 *
 * @example
 * ```ts
 * import type { NinArchitectureSpec } from 'nin-sdk/train';
 * const spec: NinArchitectureSpec = { family: 'cifar10', widths: [192, 160, 96, 192, 192, 192, 192, 192, 10] };
 * ```
 */
export interface NinArchitectureSpec {
  readonly family: string;
  readonly widths: readonly number[];
  /** Trained with a BatchNorm after every convolution but the last (NinArchitecture.batchNorm); absent: plain. */
  readonly batchNorm?: true;
}

/**
 * An architecture of the converter's registry (src/architectures), trained as its BatchNorm-folded copy: the layers
 * come from the entry, the channel counts from the checkpoint's tensor shapes.
 *
 * @example
 * ```ts
 * import type { RegistryArchitectureSpec } from 'nin-sdk/train';
 * const spec: RegistryArchitectureSpec = { registry: 'cifar10' };
 * ```
 */
export interface RegistryArchitectureSpec {
  readonly registry: string;
  /**
   * The entry as the run started from it, stored whole in the checkpoint (version 3) so that the run stays loadable,
   * and the same network, whatever later becomes of the registry. Absent: the registry's entry of that id (a spec
   * named by id, or a version 2 checkpoint).
   */
  readonly architecture?: Architecture;
}

/**
 * An architecture that is in no registry (nin-convert --arch's JSON): kept whole in the checkpoint.
 *
 * @example
 * ```ts
 * import { NIN_CIFAR10, type CustomArchitectureSpec } from 'nin-sdk/train';
 * const spec: CustomArchitectureSpec = { custom: NIN_CIFAR10 };
 * ```
 */
export interface CustomArchitectureSpec {
  readonly custom: Architecture;
}

/**
 * How to rebuild the forward graphs of a checkpoint's model.
 *
 * @example
 * ```ts
 * import type { ArchitectureSpec, TrainingCheckpoint } from 'nin-sdk/train';
 * declare const checkpoint: TrainingCheckpoint;
 * const spec: ArchitectureSpec = checkpoint.architecture;
 * console.log('registry' in spec ? spec.registry : 'custom' in spec ? spec.custom.id : spec.family);
 * ```
 */
export type ArchitectureSpec = NinArchitectureSpec | RegistryArchitectureSpec | CustomArchitectureSpec;

/** How messages name a checkpoint's architecture: `cifar10 NIN 192,160,…,10`, or the registry id. */
export function describeArchitectureSpec(spec: ArchitectureSpec): string {
  if (isNinArchitectureSpec(spec)) return `${spec.family} NIN ${spec.widths.join(',')}`;
  return 'registry' in spec ? spec.registry : `${spec.custom.id} (custom architecture)`;
}

export function isNinArchitectureSpec(spec: ArchitectureSpec): spec is NinArchitectureSpec {
  return 'family' in spec;
}

/**
 * A training run's whole state, in memory: what TrainingSession.create starts from and getState returns, and what
 * encodeTrainingCheckpoint writes (see format.ts for the file).
 *
 * @example
 * ```ts
 * import { initialCheckpoint, initialParameters, ninForwardModel, recipeOptimizer, type TrainingCheckpoint } from 'nin-sdk/train';
 * import { architectureFromWidths, NIN_CIFAR10 } from 'nin-sdk/train';
 * const architecture = architectureFromWidths(NIN_CIFAR10, [192, 160, 96, 192, 192, 192, 192, 192, 10]);
 * const names = ninForwardModel(architecture).parameters.map((p) => p.name);
 * const state: TrainingCheckpoint = initialCheckpoint(architecture, recipeOptimizer('sgd', names, 'classifier.20', 0.1), initialParameters(architecture, 'normal', 0));
 * console.log(state.step); // 0
 * ```
 */
export interface TrainingCheckpoint {
  readonly architecture: ArchitectureSpec;
  /** Every parameter's name and shape, in state_dict order: the layout of `parameters` and of each optimizer state. */
  readonly tensors: readonly ParameterSpec[];
  /** Parameters fed but not trained (their gradients and optimizer state stay zero); absent: none. */
  readonly frozen?: readonly string[];
  readonly optimizer: OptimizerSettings;
  /** Optimizer steps taken so far; AdamW's bias corrections count from it. */
  readonly step: number;
  /** Every parameter's values one after another, laid out as `tensors`. */
  readonly parameters: Float32Array;
  /** One array per optimizer state key (SGD: momentum_buffer; AdamW: exp_avg, exp_avg_sq), laid out as `parameters`. */
  readonly optimizerState: Readonly<Record<string, Float32Array>>;
  /** The training loop's place and settings (epoch, data order, recipe, best accuracy); absent for a bare session state. */
  readonly progress?: TrainingProgress;
}

/** A parameter and where its values sit in the contiguous buffer. */
export interface ParameterSlot extends ParameterSpec {
  /** In elements, from the buffer's start. */
  readonly offset: number;
  readonly length: number;
}

/** The NIN of a checkpoint; throws for another architecture (the training loop and exports take NINs only). */
export function checkpointArchitecture(spec: ArchitectureSpec): NinArchitecture {
  if (!isNinArchitectureSpec(spec)) {
    throw new RangeError(
      `training checkpoint: architecture '${describeArchitectureSpec(spec)}' is not a NIN family; this step takes cifar10 or imagenet`,
    );
  }
  const family = ninFamilyById(spec.family);
  if (family === undefined)
    throw new RangeError(
      `training checkpoint: unknown family '${String(spec.family)}': should be one of ${NIN_FAMILIES.map((f) => f.id).join(', ')}`,
    );
  return architectureFromWidths(family, spec.widths, { batchNorm: spec.batchNorm === true });
}

export function architectureSpec(architecture: NinArchitecture): NinArchitectureSpec {
  const spec = { family: architecture.family.id, widths: architecture.convs.map((c) => c.outChannels) };
  return architecture.batchNorm === true ? { ...spec, batchNorm: true } : spec;
}

/** The parameters of an architecture with their offsets in a contiguous buffer (state_dict order). */
export function parameterSlots(parameters: readonly ParameterSpec[]): ParameterSlot[] {
  let offset = 0;
  return parameters.map((p) => {
    const length = p.shape.reduce((a, b) => a * b, 1);
    const slot = { ...p, offset, length };
    offset += length;
    return slot;
  });
}

export function parameterCount(parameters: readonly ParameterSpec[]): number {
  return parameters.reduce((sum, p) => sum + p.shape.reduce((a, b) => a * b, 1), 0);
}

/** The checkpoint's parameters as a state_dict: views on its buffer, by name, in order. */
export function checkpointParameters(
  checkpoint: TrainingCheckpoint,
): Map<string, { readonly shape: readonly number[]; readonly data: Float32Array }> {
  const slots = parameterSlots(checkpoint.tensors);
  return new Map(
    slots.map((s) => [s.name, { shape: s.shape, data: checkpoint.parameters.subarray(s.offset, s.offset + s.length) }]),
  );
}

/**
 * A run's starting state: the given parameters (a state_dict of the architecture's names and shapes), zero
 * optimizer state (PyTorch's SGD starts its buffer as the first direction, which a zero buffer gives exactly; Adam's
 * moments start at zero), step 0.
 *
 * @param architecture - the NIN to train
 * @param optimizer - its settings (recipeOptimizer)
 * @param parameters - the starting weights (initialParameters, or a checkpoint's)
 * @returns the run's starting state, for TrainingSession.create
 * @example
 * ```ts
 * import { initialCheckpoint, initialParameters, ninForwardModel, recipeOptimizer } from 'nin-sdk/train';
 * import { architectureFromWidths, NIN_CIFAR10 } from 'nin-sdk/train';
 * const architecture = architectureFromWidths(NIN_CIFAR10, [192, 160, 96, 192, 192, 192, 192, 192, 10]);
 * const names = ninForwardModel(architecture).parameters.map((p) => p.name);
 * const checkpointState = initialCheckpoint(architecture, recipeOptimizer('sgd', names, 'classifier.20', 0.1), initialParameters(architecture, 'normal', 0));
 * ```
 */
export function initialCheckpoint(
  architecture: NinArchitecture,
  optimizer: OptimizerSettings,
  parameters: ReadonlyMap<string, { readonly shape: readonly number[]; readonly data: Float32Array }>,
): TrainingCheckpoint {
  return initialModelCheckpoint(architectureSpec(architecture), ninParameters(architecture), optimizer, parameters);
}

/**
 * {@link initialCheckpoint} for any architecture: `tensors` gives the names, shapes and order.
 *
 * @param architecture - how the checkpoint records the architecture (FineTuneStart's `spec`)
 * @param tensors - the trainable parameters' names and shapes, in order
 * @param optimizer - the optimizer's settings
 * @param parameters - the starting weights
 * @param frozen - parameters fed but not trained
 * @returns the run's starting state
 * @example
 * ```ts
 * import { fineTuneForwardModel, initialModelCheckpoint, recipeOptimizer, type FineTuneStart } from 'nin-sdk/train';
 * declare const start: FineTuneStart;
 * const names = start.tensors.map((t) => t.name);
 * const optimizer = recipeOptimizer('adamw', names, names.at(-2)!, 1e-4);
 * const checkpointState = initialModelCheckpoint(start.spec, start.tensors, optimizer, start.parameters);
 * ```
 */
export function initialModelCheckpoint(
  architecture: ArchitectureSpec,
  tensors: readonly ParameterSpec[],
  optimizer: OptimizerSettings,
  parameters: ReadonlyMap<string, { readonly shape: readonly number[]; readonly data: Float32Array }>,
  frozen?: readonly string[],
): TrainingCheckpoint {
  const slots = parameterSlots(tensors);
  const total = slots.reduce((sum, s) => sum + s.length, 0);
  const buffer = new Float32Array(total);
  for (const slot of slots) {
    const tensor = parameters.get(slot.name);
    if (tensor === undefined) throw new RangeError(`initial parameters: ${slot.name} is missing`);
    if (
      tensor.shape.length !== slot.shape.length ||
      tensor.shape.some((d, i) => d !== slot.shape[i]) ||
      tensor.data.length !== slot.length
    ) {
      throw new RangeError(
        `initial parameters: ${slot.name} has shape [${tensor.shape.join(', ')}], the architecture needs [${slot.shape.join(', ')}]`,
      );
    }
    buffer.set(tensor.data, slot.offset);
  }
  const optimizerState = Object.fromEntries(
    OPTIMIZER_STATE_KEYS[optimizer.kind].map((key) => [key, new Float32Array(total)]),
  );
  return {
    architecture,
    tensors: tensors.map((t) => ({ name: t.name, shape: [...t.shape] })),
    ...(frozen === undefined || frozen.length === 0 ? {} : { frozen: [...frozen] }),
    optimizer,
    step: 0,
    parameters: buffer,
    optimizerState,
  };
}

/** The checkpoint's trainable parameters, in order. */
export function trainableTensors(checkpoint: Pick<TrainingCheckpoint, 'tensors' | 'frozen'>): ParameterSpec[] {
  const frozen = new Set(checkpoint.frozen ?? []);
  return checkpoint.tensors.filter((t) => !frozen.has(t.name) && !isRunningStatistic(t.name));
}
