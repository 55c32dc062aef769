import {
  ArchitectureError,
  architectureById,
  foldedArchitecture,
  readCheckpointModel,
  recognizeArchitecture,
  type Architecture,
  type CheckpointReading,
} from '../convert/index.js';
import type { CheckpointTensor } from '../formats/index.js';
import type { OnnxModel } from '../graph/index.js';
import { METADATA_KEYS } from '../model/index.js';
import type { PreprocessSpec } from '../preprocess/index.js';
import { specArchitecture } from './checkpoint/forward.js';
import {
  architectureSpec,
  checkpointArchitecture,
  checkpointParameters,
  isNinArchitectureSpec,
  type ArchitectureSpec,
  type TrainingCheckpoint,
} from './checkpoint/state.js';
import type { StateDict } from './export/state-dict.js';
import { fineTuneMatch } from './fine-tune.js';
import { parameterSpecs } from './model/architecture-forward.js';
import type { ParameterSpec } from './model/forward-model.js';
import { architectureFromWidths, ninArchitectureOfMatch, ninFamilyById, ninParameters } from './nin/architecture.js';
import { recordedArchitecture, sameFoldedLayers } from './recorded-architecture.js';
import {
  labelsForClasses,
  namingSource,
  onnxWeights,
  readStartOnnx,
  readStartTrainingCheckpoint,
  recordedLabels,
  recordedPreprocessing,
  startFileKind,
} from './start-file.js';

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
   * own, a container convention's, the settings a state_dict cannot show); empty for a training checkpoint or an ONNX
   * model, which recorded theirs.
   */
  readonly assumptions: readonly string[];
  /** A PyTorch file's: where the weights were taken from when not a bare state_dict (`took checkpoint['net']`). */
  readonly taken?: string;
  /** A PyTorch file's: the class names of the objects kept inert beside the weights (never run). */
  readonly placeholders?: readonly string[];
}

/**
 * How to read a PyTorch checkpoint, as nin-convert's options say it (`--arch`, `--key`, `--preprocessing`,
 * `--labels`). An ONNX model or a training checkpoint records all of these: they apply to PyTorch files only.
 *
 * @example
 * ```ts
 * import { readTrainingStart, type TrainingStartOptions } from 'nin-sdk/train';
 * import { readFileSync } from 'node:fs';
 * // A checkpoint that keeps its weights under checkpoint['net'] and was trained on five classes.
 * const options: TrainingStartOptions = { key: 'net', labels: ['ant', 'bee', 'fly', 'moth', 'wasp'] };
 * const start = readTrainingStart(readFileSync('insects.pth'), 'insects.pth', options);
 * ```
 */
export interface TrainingStartOptions {
  /** Skip recognition and take this architecture (a registry entry, or an `--arch` JSON): its keys, or renamed ones. */
  readonly architecture?: Architecture;
  /** Which of the checkpoint's tensor dictionaries to take (`net`, `models.0`, `.` for the root), where several fit. */
  readonly key?: string;
  /** The preprocessing to record instead of the architecture's (then it is not an assumption). */
  readonly preprocessing?: PreprocessSpec;
  /**
   * Class names, in output order, instead of the family's (without them, a last layer of another class count is
   * given numbered ones: `class_0`, `class_1` …).
   */
  readonly labels?: readonly string[];
}

/**
 * A trained model to start from: a PyTorch checkpoint read as nin-convert reads it (readCheckpointModel: the same
 * container choice, recognition, assumptions, preprocessing and labels), an ONNX model of nin-convert or nin-sdk train
 * (what its metadata records), or nin-sdk train's checkpoint.nintrain. A pytorch-nin entry trains as a NIN of its
 * widths; any other registry architecture (or an --arch JSON) as its BatchNorm-folded copy. The bytes are parsed
 * once, as what their first bytes say they are; errors name `source`. fineTuneStart and nin-sdk/web's fineTune
 * start from what it returns.
 *
 * @param bytes - the file's bytes: a PyTorch checkpoint, an ONNX model or a checkpoint.nintrain
 * @param source - how errors name the file (its path, say)
 * @param options - how to read a PyTorch checkpoint (architecture, key, preprocessing, labels); ignored for the others
 * @returns the architecture, its trainable parameters' names, shapes and values, labels, preprocessing, what was
 * frozen and what reading the file assumed
 * @throws CheckpointError for a PyTorch file that cannot be read; ArchitectureError for a file that is no model
 * nin-sdk can train (not recognised, no trainable form, labels or preprocessing that do not fit); ModelError for an
 * ONNX model refused for what it holds; an Error naming `source` for a damaged checkpoint.nintrain
 * @example
 * ```ts
 * import { readTrainingStart } from 'nin-sdk/train';
 * import { readFileSync } from 'node:fs';
 * const start = readTrainingStart(readFileSync('nin-cifar10.pth'), 'nin-cifar10.pth');
 * console.log(start.labels.length, start.preprocessing.inputSize, start.tensors.map((t) => t.name));
 * for (const line of start.assumptions) console.log(`assumed: ${line}`);
 * ```
 */
export function readTrainingStart(
  bytes: Uint8Array,
  source: string,
  options: TrainingStartOptions = {},
): TrainingStart {
  switch (startFileKind(bytes)) {
    case 'training-checkpoint':
      return fromTrainingCheckpoint(readStartTrainingCheckpoint(bytes, source));
    case 'onnx':
      return fromOnnx(readStartOnnx(bytes, source), source);
    case 'pytorch':
      return fromPytorch(bytes, source, options);
  }
}

/** The checkpoint's model, weights and frozen list: a fine-tuning that froze layers goes on with them frozen. */
function fromTrainingCheckpoint(checkpoint: TrainingCheckpoint): TrainingStart {
  const spec = checkpoint.architecture;
  const frozen = checkpoint.frozen === undefined ? {} : { frozen: checkpoint.frozen };
  if (isNinArchitectureSpec(spec)) {
    const nin = checkpointArchitecture(spec);
    const tensors = ninParameters(nin);
    return {
      ...frozen,
      architecture: spec,
      tensors,
      parameters: checkpointParameters(checkpoint),
      labels: checkpoint.progress?.labels ?? labelsForClasses(nin.family.labels, classCount(tensors)),
      preprocessing: checkpoint.progress?.preprocessing ?? nin.family.preprocessing,
      inputChannels: nin.family.inputChannels,
      assumptions: [],
    };
  }
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

/** A registry architecture named by the model's nin metadata; a pytorch-nin entry as a NIN of its widths. */
function fromOnnx(model: OnnxModel, source: string): TrainingStart {
  const start = onnxArchitectureStart(model, source);
  if (start === undefined)
    throw new ArchitectureError(
      `${source}: not a model of nin-convert or nin-sdk train: its ${METADATA_KEYS.family} names no registry architecture ` +
        `and it records no ${METADATA_KEYS.architecture}`,
    );
  return asNin(start);
}

/** A PyTorch checkpoint read as nin-convert reads it; its lines (took, ignored, assumed) come with it. */
function fromPytorch(bytes: Uint8Array, source: string, options: TrainingStartOptions): TrainingStart {
  const reading = namingSource(source, () =>
    readCheckpointModel(bytes, {
      // The file name breaks ties as nin-convert's does (pytorchcv's CIFAR-10 and SVHN nets have the same keys).
      fileName: source.split(/[\\/]/).pop(),
      // Training's class folders may name the classes: numbered labels are said, not refused.
      unlabelledClasses: 'numbered',
      ...options,
    }),
  );
  const said = {
    labels: reading.labels,
    preprocessing: reading.preprocessing,
    assumptions: reading.assumptions,
    placeholders: reading.placeholders,
    ...(reading.taken === undefined ? {} : { taken: reading.taken }),
  };
  const nin = ninOfReading(reading, source);
  if (nin !== undefined) return { ...nin, ...said };
  const start = namingSource(source, () => fineTuneMatch(reading.match, reading.checkpoint.tensors));
  return {
    architecture: start.spec,
    tensors: start.tensors,
    parameters: start.parameters,
    inputChannels: start.architecture.inputChannels,
    ...said,
  };
}

/**
 * A checkpoint of a pytorch-nin entry itself (not a variant of it fed other channels, nor an --arch JSON) as a NIN of
 * its widths, its weights under the entry's own names whatever keys the file used; undefined for anything else.
 */
function ninOfReading(
  reading: CheckpointReading,
  source: string,
): Pick<TrainingStart, 'architecture' | 'tensors' | 'parameters' | 'inputChannels'> | undefined {
  const { keyOf } = reading.match;
  const nin = ninArchitectureOfMatch(reading.match, reading.checkpoint.tensors);
  if (nin === undefined) return undefined;
  const tensor = (name: string): CheckpointTensor => reading.checkpoint.tensors.get(keyOf.get(name) ?? '')!;
  const tensors = ninParameters(nin);
  const parameters: StateDict = new Map(
    tensors.map((p) => {
      const { data } = tensor(p.name);
      if (!(data instanceof Float32Array))
        throw new ArchitectureError(`${source}: ${keyOf.get(p.name)} is not a floating-point tensor`);
      return [p.name, { shape: p.shape, data }];
    }),
  );
  return { architecture: architectureSpec(nin), tensors, parameters, inputChannels: nin.family.inputChannels };
}

/** A start of a pytorch-nin entry itself, as the NIN of its widths it is; any other start as it is. */
function asNin(start: TrainingStart): TrainingStart {
  const spec = start.architecture;
  if (isNinArchitectureSpec(spec) || 'custom' in spec) return start;
  const family = ninFamilyById(spec.registry);
  if (family === undefined || (spec.architecture !== undefined && spec.architecture !== family)) return start;
  const widths = start.tensors.filter((t) => t.name.endsWith('.weight')).map((t) => t.shape[0]!);
  const nin = architectureFromWidths(family, widths);
  return { ...start, architecture: architectureSpec(nin), tensors: ninParameters(nin) };
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
