import { ArchitectureError, recognizeArchitecture } from '../../converters/nin/index.js';
import { specArchitecture } from './checkpoint/forward.js';
import { readCheckpoint } from '../../converters/pth/index.js';
import type { PreprocessSpec } from '../preprocess/spec.js';
import { decodeTrainingCheckpoint } from './checkpoint/format.js';
import {
  architectureSpec,
  checkpointParameters,
  isNinArchitectureSpec,
  type ArchitectureSpec,
} from './checkpoint/state.js';
import type { StateDict } from './export/state-dict.js';
import { fineTuneMatch } from './fine-tune.js';
import type { ParameterSpec } from './model/forward-model.js';
import { ninParameters } from './nin/architecture.js';
import { isTrainingCheckpoint, readStartModel } from './start-model.js';

/** A trained model to continue from (`nin-sdk train --from`): a NIN, or any architecture the converter recognises. */
export interface TrainingStart {
  readonly architecture: ArchitectureSpec;
  /** The trainable parameters' names and shapes, in order. */
  readonly tensors: readonly ParameterSpec[];
  readonly parameters: StateDict;
  readonly labels: readonly string[];
  readonly preprocessing: PreprocessSpec;
  /** Channels of the image input. */
  readonly inputChannels: number;
  /** What recognition took on trust, one sentence each (empty for a NIN family or a training checkpoint). */
  readonly assumptions: readonly string[];
}

/**
 * readStartModel's NINs as they were, and beyond them any PyTorch checkpoint the converter recognises (pytorchcv,
 * rasbt's BatchNorm NIN, d2l …: fineTuneStart, BatchNorm folded) or a training checkpoint of one. A file neither
 * reads gets readStartModel's error.
 */
export function readTrainingStart(bytes: Uint8Array, source: string): TrainingStart {
  if (isTrainingCheckpoint(bytes)) {
    const checkpoint = decodeTrainingCheckpoint(bytes);
    const spec = checkpoint.architecture;
    if (!isNinArchitectureSpec(spec)) {
      const architecture = specArchitecture(spec);
      return {
        architecture: spec,
        tensors: checkpoint.tensors,
        parameters: checkpointParameters(checkpoint),
        labels: checkpoint.progress?.labels ?? labelsFor(architecture.labels, classCount(checkpoint.tensors)),
        preprocessing: checkpoint.progress?.preprocessing ?? architecture.preprocessing,
        inputChannels: architecture.inputChannels,
        assumptions: [],
      };
    }
  }
  try {
    const nin = readStartModel(bytes, source);
    return {
      architecture: architectureSpec(nin.architecture),
      tensors: ninParameters(nin.architecture),
      parameters: nin.parameters,
      labels: nin.labels,
      preprocessing: nin.preprocessing,
      inputChannels: 3,
      assumptions: [],
    };
  } catch (error) {
    if (!(error instanceof ArchitectureError)) throw error;
    let tensors;
    let match;
    try {
      tensors = readCheckpoint(bytes).tensors;
      // The file name breaks ties as nin-convert's does (pytorchcv's CIFAR-10 and SVHN nets have the same keys).
      match = recognizeArchitecture(tensors, { fileName: source.split(/[\\/]/).pop() });
    } catch {
      throw error; // not a NIN family, and nothing else the converter knows either: the NIN reader's words
    }
    let start;
    try {
      start = fineTuneMatch(match, tensors);
    } catch (untrainable) {
      if (untrainable instanceof ArchitectureError) throw new ArchitectureError(`${source}: ${untrainable.message}`);
      throw untrainable;
    }
    const { architecture } = start;
    return {
      architecture: start.spec,
      tensors: start.tensors,
      parameters: start.parameters,
      labels: labelsFor(architecture.labels, classCount(start.tensors)),
      preprocessing: architecture.preprocessing,
      inputChannels: architecture.inputChannels,
      assumptions: start.assumptions,
    };
  }
}

/** Output channels of the last weighted layer. */
function classCount(tensors: readonly ParameterSpec[]): number {
  const last = [...tensors].reverse().find((t) => t.name.endsWith('.weight'));
  return last?.shape[0] ?? 0;
}

function labelsFor(labels: readonly string[], count: number): readonly string[] {
  return labels.length === count ? labels : Array.from({ length: count }, (_, i) => `class_${i}`);
}
