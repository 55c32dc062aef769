import {
  architectureById,
  foldedWeights,
  recognizeArchitecture,
  type Architecture,
  type ArchitectureMatch,
  type RecognizeOptions,
} from '../convert/index.js';
import type { CheckpointTensor } from '../formats/index.js';
import type { CustomArchitectureSpec, RegistryArchitectureSpec } from './checkpoint/state.js';
import type { StateDict } from './export/state-dict.js';
import {
  architectureForwardModel,
  parameterSpecs,
  type ArchitectureForwardOptions,
} from './model/architecture-forward.js';
import type { ForwardModel, ParameterSpec } from './model/forward-model.js';

/**
 * A converted checkpoint, ready to fine-tune: whatever registry architecture the converter recognises in it.
 *
 * @example
 * ```ts
 * import { readCheckpoint } from 'nin-sdk';
 * import { fineTuneStart, type FineTuneStart } from 'nin-sdk/train';
 * import { readFileSync } from 'node:fs';
 * const start: FineTuneStart = fineTuneStart(readCheckpoint(readFileSync('rasbt-nin-bn.pth')).tensors);
 * console.log(start.architecture.id, start.assumptions);
 * ```
 */
export interface FineTuneStart {
  readonly architecture: Architecture;
  /** How a training checkpoint records it (initialModelCheckpoint's first argument). */
  readonly spec: RegistryArchitectureSpec | CustomArchitectureSpec;
  /** The trainable copy's names and shapes, in order. */
  readonly tensors: readonly ParameterSpec[];
  /** Its starting weights: the checkpoint's, BatchNorm folded into the convs before it. */
  readonly parameters: StateDict;
  /** What recognition took on trust (pool modes, BatchNorm eps …), one sentence each: say them to the user. */
  readonly assumptions: readonly string[];
}

/**
 * A PyTorch state_dict (readCheckpoint's tensors) → the architecture it is and the weights to fine-tune from, by
 * the converter's recognition (the same as nin-convert's, with its options). Throws the converter's
 * ArchitectureError for a checkpoint it does not recognise, or one with no trainable form (binarised weights, a
 * BatchNorm that follows no convolution).
 *
 * @param tensors - a PyTorch state_dict (readCheckpoint's tensors)
 * @param options - recognition's options, as nin-convert's (a family, an architecture, a file name)
 * @returns the architecture, its trainable tensors and starting weights, and what recognition assumed
 * @throws ArchitectureError for a checkpoint it does not recognise or that has no trainable form
 * @example
 * ```ts
 * import { readCheckpoint } from 'nin-sdk';
 * import { fineTuneForwardModel, fineTuneStart } from 'nin-sdk/train';
 * import { readFileSync } from 'node:fs';
 * const start = fineTuneStart(readCheckpoint(readFileSync('nin.pth')).tensors, { fileName: 'nin.pth' });
 * const model = fineTuneForwardModel(start);
 * ```
 */
export function fineTuneStart(
  tensors: ReadonlyMap<string, CheckpointTensor>,
  options: RecognizeOptions = {},
): FineTuneStart {
  return fineTuneMatch(recognizeArchitecture(tensors, options), tensors);
}

/** {@link fineTuneStart} from a recognition already made. */
export function fineTuneMatch(match: ArchitectureMatch, tensors: ReadonlyMap<string, CheckpointTensor>): FineTuneStart {
  const parameters = foldedWeights(match, tensors);
  return {
    architecture: match.architecture,
    // A registry entry is named (and kept whole too); an architecture of the user's own (--arch JSON) is kept whole.
    spec:
      architectureById(match.architecture.id) === match.architecture
        ? { registry: match.architecture.id, architecture: match.architecture }
        : { custom: match.architecture },
    tensors: parameterSpecs(parameters),
    parameters,
    assumptions: match.assumptions,
  };
}

/**
 * The forward model to build training artifacts for (see buildTrainingArtifacts).
 *
 * @param start - what fineTuneStart found
 * @param options - batch size, input size, opset
 * @returns the forward model to build training artifacts from
 * @example
 * ```ts
 * import { buildTrainingArtifacts, fineTuneForwardModel, type FineTuneStart } from 'nin-sdk/train';
 * declare const start: FineTuneStart;
 * const artifacts = buildTrainingArtifacts(fineTuneForwardModel(start, { batch: 32 }), { optimizer: 'adamw' });
 * ```
 */
export function fineTuneForwardModel(start: FineTuneStart, options: ArchitectureForwardOptions = {}): ForwardModel {
  return architectureForwardModel(start.architecture, start.tensors, options);
}
