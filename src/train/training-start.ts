import {
  ArchitectureError,
  architectureById,
  conversionReading,
  foldedArchitecture,
  recognizeArchitecture,
  type Architecture,
} from '../../converters/nin/index.js';
import type { OnnxModel } from '../graph/index.js';
import { METADATA_KEYS } from '../model/metadata.js';
import { parameterSpecs } from './model/architecture-forward.js';
import { specArchitecture } from './checkpoint/forward.js';
import type { Checkpoint, CheckpointTensor } from '../../converters/pth/index.js';
import type { PreprocessSpec } from '../preprocess/spec.js';
import {
  architectureSpec,
  checkpointParameters,
  isNinArchitectureSpec,
  type ArchitectureSpec,
  type TrainingCheckpoint,
} from './checkpoint/state.js';
import type { StateDict } from './export/state-dict.js';
import { recordedArchitecture, sameFoldedLayers } from './recorded-architecture.js';
import { fineTuneMatch } from './fine-tune.js';
import type { ParameterSpec } from './model/forward-model.js';
import { ninParameters } from './nin/architecture.js';
import {
  labelsForClasses,
  ninStartFromCheckpoint,
  ninStartFromOnnx,
  ninStartFromTrainingCheckpoint,
  onnxWeights,
  readStartCheckpoint,
  readStartOnnx,
  readStartTrainingCheckpoint,
  recordedLabels,
  recordedPreprocessing,
  startFileKind,
  type StartModel,
} from './start-model.js';

/**
 * A trained model to continue from (`nin-sdk train --from`): a NIN, or any architecture the converter recognises.
 *
 * @example
 * ```ts
 * import { readTrainingStart, type TrainingStart } from 'nin-sdk/train';
 * import { readFileSync } from 'node:fs';
 * const start: TrainingStart = readTrainingStart(readFileSync('nin.onnx'), 'nin.onnx');
 * console.log(start.labels, start.tensors.length, start.assumptions);
 * ```
 */
export interface TrainingStart {
  readonly architecture: ArchitectureSpec;
  /** The trainable parameters' names and shapes, in order. */
  readonly tensors: readonly ParameterSpec[];
  readonly parameters: StateDict;
  readonly labels: readonly string[];
  readonly preprocessing: PreprocessSpec;
  /** Parameters fed but not trained, as the training checkpoint it came from kept them; absent: none. */
  readonly frozen?: readonly string[];
  /** Channels of the image input. */
  readonly inputChannels: number;
  /**
   * What reading the file took on trust, one sentence each, as nin-convert says them (recognition's, the entry's
   * own, a container convention's); empty for a training checkpoint or an ONNX model, which recorded theirs.
   */
  readonly assumptions: readonly string[];
}

/**
 * A trained model to continue from (`nin-sdk train --from`): a NIN, any PyTorch checkpoint the converter recognises
 * (BatchNorm folded), an ONNX model, or a training checkpoint of one. The bytes are parsed once, as what their first
 * bytes say they are.
 *
 * @param bytes - a PyTorch checkpoint, an ONNX model of nin-convert or nin-sdk train, or a checkpoint.nintrain
 * @param source - how errors name the file
 * @returns the architecture, weights, labels and preprocessing to continue from
 * @throws ArchitectureError, CheckpointError or ModelError for a file that cannot be continued from, saying why
 * @example
 * ```ts
 * import { readTrainingStart, withNewClassifier } from 'nin-sdk/train';
 * import { readFileSync } from 'node:fs';
 * const start = withNewClassifier(readTrainingStart(readFileSync('nin.pth'), 'nin.pth'), ['cat', 'dog'], 0);
 * ```
 */
export function readTrainingStart(bytes: Uint8Array, source: string): TrainingStart {
  switch (startFileKind(bytes)) {
    case 'training-checkpoint':
      return fromTrainingCheckpoint(readStartTrainingCheckpoint(bytes, source));
    case 'onnx':
      return fromOnnx(readStartOnnx(bytes, source), source);
    case 'pytorch':
      return fromPytorch(readStartCheckpoint(bytes, source), source);
  }
}

/** The checkpoint's model, weights and frozen list: a fine-tuning that froze layers goes on with them frozen. */
function fromTrainingCheckpoint(checkpoint: TrainingCheckpoint): TrainingStart {
  const spec = checkpoint.architecture;
  const frozen = checkpoint.frozen === undefined ? {} : { frozen: checkpoint.frozen };
  if (isNinArchitectureSpec(spec)) return { ...ninStart(ninStartFromTrainingCheckpoint(checkpoint)), ...frozen };
  const architecture = specArchitecture(spec);
  return {
    ...frozen,
    architecture: spec,
    tensors: checkpoint.tensors,
    parameters: checkpointParameters(checkpoint),
    labels: checkpoint.progress?.labels ?? labelsForClasses(architecture.labels, classCount(checkpoint.tensors)),
    preprocessing: checkpoint.progress?.preprocessing ?? architecture.preprocessing,
    inputChannels: architecture.inputChannels,
    assumptions: [],
  };
}

/** A NIN of either family, else a registry architecture named by the model's nin metadata. */
function fromOnnx(model: OnnxModel, source: string): TrainingStart {
  try {
    return ninStart(ninStartFromOnnx(model, source));
  } catch (error) {
    if (!(error instanceof ArchitectureError)) throw error;
    const start = onnxArchitectureStart(model, source);
    if (start === undefined) throw error;
    return start;
  }
}

/** A NIN of either family, else any registry architecture the converter recognises in the state_dict. */
function fromPytorch(checkpoint: Checkpoint, source: string): TrainingStart {
  try {
    return ninStart(ninStartFromCheckpoint(checkpoint, source));
  } catch (error) {
    if (!(error instanceof ArchitectureError)) throw error;
    let match;
    try {
      // The file name breaks ties as nin-convert's does (pytorchcv's CIFAR-10 and SVHN nets have the same keys).
      match = recognizeArchitecture(checkpoint.tensors, { fileName: source.split(/[\\/]/).pop() });
    } catch {
      throw error; // not a NIN family, and nothing else the converter knows either: the NIN reader's words
    }
    let start;
    try {
      start = fineTuneMatch(match, checkpoint.tensors);
    } catch (untrainable) {
      if (untrainable instanceof ArchitectureError) throw new ArchitectureError(`${source}: ${untrainable.message}`);
      throw untrainable;
    }
    const { architecture } = start;
    // Preprocessing and assumptions as nin-convert gives them for this file (its container may choose the former).
    const { preprocessing, assumptions } = conversionReading(checkpoint, match);
    return {
      architecture: start.spec,
      tensors: start.tensors,
      parameters: start.parameters,
      labels: labelsForClasses(architecture.labels, classCount(start.tensors)),
      preprocessing,
      inputChannels: architecture.inputChannels,
      assumptions,
    };
  }
}

function ninStart(nin: StartModel): TrainingStart {
  return {
    architecture: architectureSpec(nin.architecture),
    tensors: ninParameters(nin.architecture),
    parameters: nin.parameters,
    labels: nin.labels,
    preprocessing: nin.preprocessing,
    inputChannels: 3,
    assumptions: nin.assumptions,
  };
}

/**
 * An ONNX model of a registry architecture (nin-convert's, or best.onnx of a fine-tuning run), its initializers the
 * folded copy's weights (a Linear's stored transposed, as `weight_t`). The layers are the ones the model records in
 * `nin.architecture` (what its graph was built from), checked against the weights' shapes: the registry may have
 * changed since, or no longer hold the entry. A model that records none (older files) takes the registry entry its
 * `nin.family` names, and says so. Undefined when it records none and names no registry entry.
 */
function onnxArchitectureStart(model: OnnxModel, source: string): TrainingStart | undefined {
  const id = model.metadata[METADATA_KEYS.family] ?? '';
  const recorded = recordedArchitecture(model, source);
  const entry = architectureById(recorded?.id ?? id);
  // Layers the entry of today still computes: the entry itself, with what the metadata leaves out (notes, key prefixes).
  const current = recorded === undefined || (entry !== undefined && sameFoldedLayers(recorded, entry));
  const layers = current ? entry : recorded;
  if (layers === undefined) return undefined;
  const assumptions =
    recorded === undefined
      ? [`${source} records no ${METADATA_KEYS.architecture}: took the layers of the registry's ${id} entry of today`]
      : [];
  const folded = foldedArchitecture(layers);
  const untrainable = folded.layers.find(
    (l) => l.kind === 'batchNorm' || l.kind === 'sign' || (l.kind === 'conv' && l.weights === 'xnor-binarized'),
  );
  if (untrainable !== undefined)
    throw new ArchitectureError(`${source}: ${layers.title} has no trainable form here (${untrainable.name})`);
  const weights = onnxWeights(model.graph);
  const parameters = new Map<string, { shape: readonly number[]; data: Float32Array }>();
  for (const layer of folded.layers) {
    if (layer.kind !== 'conv' && layer.kind !== 'linear') continue;
    const weight =
      layer.kind === 'conv' ? weights.get(`${layer.name}.weight`) : transposed(weights.get(`${layer.name}.weight_t`));
    const bias = weights.get(`${layer.name}.bias`);
    if (weight === undefined || (layer.bias && bias === undefined))
      throw new ArchitectureError(`${source}: no weights for ${layer.name} of ${layers.title}`);
    parameters.set(`${layer.name}.weight`, weight);
    if (layer.bias) parameters.set(`${layer.name}.bias`, bias!);
  }
  checkShapesFit(folded, parameters, source);
  const tensors = parameterSpecs(parameters);
  const classes = classCount(tensors);
  const labels = recordedLabels(model, source, classes) ?? labelsForClasses(layers.labels, classes);
  const preprocessing = recordedPreprocessing(model, source) ?? entry?.preprocessing;
  if (preprocessing === undefined)
    throw new ArchitectureError(`${source}: records no ${METADATA_KEYS.preprocessing} and names no registry entry`);
  // The recorded layers came without labels or preprocessing (stand-ins): the model's own take their place.
  const architecture = current ? layers : { ...layers, labels, preprocessing };
  return {
    architecture:
      entry !== undefined && entry.id === architecture.id
        ? { registry: architecture.id, architecture }
        : { custom: architecture },
    tensors,
    parameters,
    labels,
    preprocessing,
    inputChannels: architecture.inputChannels,
    assumptions,
  };
}

/** The converter's shape check (channels carried layer to layer, kernels, features into each Linear), naming the file. */
function checkShapesFit(
  folded: Architecture,
  parameters: ReadonlyMap<string, { readonly shape: readonly number[]; readonly data: Float32Array }>,
  source: string,
): void {
  const tensors = new Map<string, CheckpointTensor>(
    [...parameters].map(([name, t]) => [name, { dtype: 'float32', shape: t.shape, data: t.data }]),
  );
  try {
    // The initializers carry the layers' own names, under no prefix.
    recognizeArchitecture(tensors, { architecture: { ...folded, keyPrefixes: [''] } });
  } catch (error) {
    if (error instanceof ArchitectureError)
      throw new ArchitectureError(
        `${source}: ${METADATA_KEYS.architecture} does not fit its weights: ${error.message}`,
      );
    throw error;
  }
}

function transposed(
  matrix: { readonly shape: readonly number[]; readonly data: Float32Array } | undefined,
): { shape: readonly number[]; data: Float32Array } | undefined {
  if (matrix === undefined || matrix.shape.length !== 2) return undefined;
  const [rows, columns] = matrix.shape as [number, number];
  const data = new Float32Array(matrix.data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) data[c * rows + r] = matrix.data[r * columns + c]!;
  return { shape: [columns, rows], data };
}

/** Output channels of the last weighted layer. */
function classCount(tensors: readonly ParameterSpec[]): number {
  const last = [...tensors].reverse().find((t) => t.name.endsWith('.weight'));
  return last?.shape[0] ?? 0;
}
