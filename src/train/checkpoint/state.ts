import { FAMILIES, FAMILY_IDS, type FamilyId } from '../../../converters/nin/index.js';
import {
  architectureFromWidths,
  ninParameters,
  type NinArchitecture,
  type ParameterSpec,
} from '../nin/architecture.js';
import { OPTIMIZER_STATE_KEYS, type OptimizerSettings } from '../optimizer/settings.js';
import type { TrainingProgress } from './progress.js';

/** Which NIN: the family and the output channels of each convolution, in layer order (the last is the class count). */
export interface ArchitectureSpec {
  readonly family: FamilyId;
  readonly widths: readonly number[];
}

/**
 * A training run's whole state, in memory: what TrainingSession.create starts from and getState returns, and what
 * encodeTrainingCheckpoint writes (see format.ts for the file).
 */
export interface TrainingCheckpoint {
  readonly architecture: ArchitectureSpec;
  readonly optimizer: OptimizerSettings;
  /** Optimizer steps taken so far; AdamW's bias corrections count from it. */
  readonly step: number;
  /** Every parameter's values one after another, in state_dict order (ninParameters' order, shapes and names). */
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

export function checkpointArchitecture(spec: ArchitectureSpec): NinArchitecture {
  if (!FAMILY_IDS.includes(spec.family))
    throw new RangeError(
      `training checkpoint: unknown family '${String(spec.family)}': should be one of ${FAMILY_IDS.join(', ')}`,
    );
  return architectureFromWidths(FAMILIES[spec.family], spec.widths);
}

export function architectureSpec(architecture: NinArchitecture): ArchitectureSpec {
  return { family: architecture.family.id, widths: architecture.convs.map((c) => c.outChannels) };
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
  const slots = parameterSlots(ninParameters(checkpointArchitecture(checkpoint.architecture)));
  return new Map(
    slots.map((s) => [s.name, { shape: s.shape, data: checkpoint.parameters.subarray(s.offset, s.offset + s.length) }]),
  );
}

/**
 * A run's starting state: the given parameters (a state_dict of the architecture's names and shapes), zero
 * optimizer state (PyTorch's SGD starts its buffer as the first direction, which a zero buffer gives exactly; Adam's
 * moments start at zero), step 0.
 */
export function initialCheckpoint(
  architecture: NinArchitecture,
  optimizer: OptimizerSettings,
  parameters: ReadonlyMap<string, { readonly shape: readonly number[]; readonly data: Float32Array }>,
): TrainingCheckpoint {
  const slots = parameterSlots(ninParameters(architecture));
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
  return { architecture: architectureSpec(architecture), optimizer, step: 0, parameters: buffer, optimizerState };
}
