import {
  ArchitectureError,
  architectureById,
  conversionReading,
  recognize,
  type FamilySpec,
  type Recognition,
} from '../../converters/nin/index.js';
import { CheckpointError, readCheckpoint, type Checkpoint } from '../../converters/pth/index.js';
import { readZipDirectory } from '../../converters/pth/zip-archive.js';
import { float16ArrayToFloat32, readOnnxProto, type Graph, type OnnxModel } from '../graph/index.js';
import { checkModel, NotOnnxError } from '../model/checked-model.js';
import { METADATA_KEYS } from '../model/metadata.js';
import { ModelError } from '../model/model-error.js';
import { checkPreprocessSpec } from '../preprocess/check-spec.js';
import type { PreprocessSpec } from '../preprocess/spec.js';
import { decodeTrainingCheckpoint, TrainingCheckpointError } from './checkpoint/format.js';
import { checkpointArchitecture, checkpointParameters, type TrainingCheckpoint } from './checkpoint/state.js';
import type { StateDict } from './export/state-dict.js';
import { recordedArchitecture, sameFoldedLayers } from './recorded-architecture.js';
import { architectureFromWidths, classCount, ninParameters, type NinArchitecture } from './nin/architecture.js';

/** A trained NIN to start training from: its architecture, its weights under the family's state_dict names, and what it says about its classes and inputs. */
export interface StartModel {
  readonly architecture: NinArchitecture;
  readonly parameters: StateDict;
  readonly labels: readonly string[];
  readonly preprocessing: PreprocessSpec;
  /** What reading it took on trust (a container convention's preprocessing), one sentence each: say them. */
  readonly assumptions: readonly string[];
}

/** What a start model's bytes are, told from their first bytes (and a zip's entry names): nothing is parsed twice. */
export type StartFileKind = 'training-checkpoint' | 'onnx' | 'pytorch';

const ONNX_MAGIC_FIRST_BYTE = 0x08; // field 1 (ir_version), varint: every ONNX ModelProto starts so
const ZIP_FIRST_BYTE = 0x50; // 'P' of the local file header's 'PK'
const PICKLE_FIRST_BYTE = 0x80; // PROTO: torch's legacy stream
const TRAINING_CHECKPOINT_JSON = 'checkpoint.json';

export function startFileKind(bytes: Uint8Array): StartFileKind {
  if (isTrainingCheckpoint(bytes)) return 'training-checkpoint';
  const isZipOrPickle = bytes[0] === ZIP_FIRST_BYTE || bytes[0] === PICKLE_FIRST_BYTE;
  return !isZipOrPickle && bytes[0] === ONNX_MAGIC_FIRST_BYTE ? 'onnx' : 'pytorch';
}

/**
 * Reads a trained NIN: a PyTorch checkpoint of either family (any format readCheckpoint reads, keys under the
 * container, bare or by order), an ONNX file of nin-convert / nin-sdk train (weights from its initializers, labels
 * and preprocessing from its nin metadata), or nin-sdk train's checkpoint.nintrain. Throws ArchitectureError,
 * naming `source`, for a readable file that is not a NIN.
 */
export function readStartModel(bytes: Uint8Array, source: string): StartModel {
  switch (startFileKind(bytes)) {
    case 'training-checkpoint':
      return ninStartFromTrainingCheckpoint(readStartTrainingCheckpoint(bytes, source));
    case 'onnx':
      return ninStartFromOnnx(readStartOnnx(bytes, source), source);
    case 'pytorch':
      return ninStartFromCheckpoint(readStartCheckpoint(bytes, source), source);
  }
}

/** A zip with checkpoint.json at its root: PyTorch's zips keep everything under one folder (`archive/…`). */
export function isTrainingCheckpoint(bytes: Uint8Array): boolean {
  if (bytes[0] !== ZIP_FIRST_BYTE) return false;
  try {
    // The one zip reader's walk of the central directory, names only: nothing is inflated or copied, and a forged
    // entry count is refused at once (fflate alone would loop over it for hours).
    return readZipDirectory(bytes).some((entry) => entry.name === TRAINING_CHECKPOINT_JSON);
  } catch {
    return false; // not a zip the guarded reader takes: readCheckpoint says what is wrong with it, in its words
  }
}

/** decodeTrainingCheckpoint, its errors naming the file. */
export function readStartTrainingCheckpoint(bytes: Uint8Array, source: string): TrainingCheckpoint {
  try {
    return decodeTrainingCheckpoint(bytes);
  } catch (error) {
    throw new TrainingCheckpointError(`${source}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** readCheckpoint, its errors naming the file (averaging reads several). */
export function readStartCheckpoint(bytes: Uint8Array, source: string): Checkpoint {
  try {
    return readCheckpoint(bytes);
  } catch (error) {
    if (error instanceof CheckpointError) throw new CheckpointError(error.code, `${source}: ${error.message}`);
    throw error;
  }
}

/**
 * The model checked as every ONNX model nin-sdk takes (checked-model.ts: one decoding, nothing external, a
 * classifier's operators), then read into the IR; bytes that are no ONNX model, or that the IR cannot read, are
 * said as what the file is not. A model refused for what it holds keeps its own ModelError.
 */
export function readStartOnnx(bytes: Uint8Array, source: string): OnnxModel {
  try {
    return readOnnxProto(checkModel(bytes, source).proto);
  } catch (error) {
    if (error instanceof ModelError && !(error instanceof NotOnnxError)) throw error;
    throw new ArchitectureError(
      `${source} is neither a PyTorch checkpoint nor a readable ONNX model (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

export function ninStartFromTrainingCheckpoint(checkpoint: TrainingCheckpoint): StartModel {
  const architecture = checkpointArchitecture(checkpoint.architecture);
  const { family } = architecture;
  return {
    architecture,
    parameters: checkpointParameters(checkpoint),
    labels: checkpoint.progress?.labels ?? familyLabels(family, classCount(architecture)),
    preprocessing: checkpoint.progress?.preprocessing ?? family.preprocessing,
    assumptions: [],
  };
}

/**
 * The NIN of a PyTorch checkpoint, read as nin-convert reads it (conversionReading): a container that names the
 * training script (kuangliu/pytorch-cifar's `{'net': …, 'acc', 'epoch'}`) picks that script's normalisation.
 */
export function ninStartFromCheckpoint(checkpoint: Checkpoint, source: string): StartModel {
  const { tensors } = checkpoint;
  const recognition = recognizeIn(source, () => recognize(tensors));
  const parameters = canonicalParameters(recognition, (key) => {
    const t = tensors.get(key);
    return t !== undefined && t.data instanceof Float32Array ? { shape: t.shape, data: t.data } : undefined;
  });
  const { family } = recognition;
  const entry = architectureById(family.id);
  if (entry === undefined) throw new Error(`internal: the ${family.id} family is no registry entry`);
  const { preprocessing, assumptions } = conversionReading(checkpoint, { architecture: entry, assumptions: [] });
  return { ...parameters, labels: familyLabels(family, recognition.classCount), preprocessing, assumptions };
}

export function ninStartFromOnnx(model: OnnxModel, source: string): StartModel {
  const weights = onnxWeights(model.graph);
  const recognition = recognizeIn(source, () => recognize(weights));
  const parameters = canonicalParameters(recognition, (key) => weights.get(key));
  const { family } = recognition;
  // The layers are the family's of today; a model that recorded others (an entry changed since) is not this NIN.
  const recorded = recordedArchitecture(model, source);
  const entry = architectureById(family.id);
  if (recorded !== undefined && (entry === undefined || !sameFoldedLayers(recorded, entry)))
    throw new ArchitectureError(
      `${source}: its ${METADATA_KEYS.architecture} (${recorded.id}) records layers other than today's ${family.id} entry`,
    );
  const labels = recordedLabels(model, source, recognition.classCount) ?? family.labels;
  if (labels.length !== recognition.classCount) {
    throw new ArchitectureError(`${source}: ${labels.length} labels for a model of ${recognition.classCount} classes`);
  }
  const preprocessing = recordedPreprocessing(model, source) ?? family.preprocessing;
  return { ...parameters, labels, preprocessing, assumptions: [] };
}

function recognizeIn(source: string, run: () => Recognition): Recognition {
  try {
    return run();
  } catch (error) {
    // The converter's advice to name the family with --family is for nin-convert; training takes no such option.
    if (error instanceof ArchitectureError)
      throw new ArchitectureError(`${source}: ${error.message.replace(/ If the keys were renamed, .*$/, '')}`);
    throw error;
  }
}

/** The recognised weights under the family's own names (`classifier.0.weight` …), whatever keys the file used. */
function canonicalParameters(
  recognition: Recognition,
  lookup: (key: string) => { readonly shape: readonly number[]; readonly data: Float32Array } | undefined,
): Pick<StartModel, 'architecture' | 'parameters'> {
  const architecture = architectureFromWidths(
    recognition.family,
    recognition.convs.map((c) => c.outChannels),
  );
  const keyOf = new Map<string, string>(
    recognition.convs.flatMap((c) => {
      const prefix = `${recognition.family.container}.${c.layerIndex}`;
      return [
        [`${prefix}.weight`, c.weightKey],
        [`${prefix}.bias`, c.biasKey],
      ];
    }),
  );
  const parameters = new Map(
    ninParameters(architecture).map((p) => {
      const key = keyOf.get(p.name)!;
      const tensor = lookup(key);
      if (tensor === undefined) throw new ArchitectureError(`${key} is not a floating-point tensor`);
      return [p.name, { shape: p.shape, data: tensor.data }];
    }),
  );
  return { architecture, parameters };
}

/** Float initializers by name; float16 ones (nin-convert --float16) under the name of the Cast that restores them. */
export function onnxWeights(graph: Graph): Map<string, { shape: readonly number[]; data: Float32Array }> {
  const weights = new Map<string, { shape: readonly number[]; data: Float32Array }>();
  const half = new Map<string, { shape: readonly number[]; data: Float32Array }>();
  for (const { name, tensor } of graph.initializers) {
    if (tensor.dtype === 'float32') weights.set(name, { shape: tensor.dims, data: tensor.data });
    else if (tensor.dtype === 'float16')
      half.set(name, { shape: tensor.dims, data: float16ArrayToFloat32(tensor.data) });
  }
  for (const node of graph.nodes) {
    const stored = node.opType === 'Cast' ? half.get(node.inputs[0] ?? '') : undefined;
    if (stored !== undefined && node.outputs[0] !== undefined) weights.set(node.outputs[0].name, stored);
  }
  return weights;
}

/**
 * The class names an ONNX model records (`nin.labels`), for a model of `classCount` classes: undefined when it records
 * none; refused, naming the file, when they are no JSON array of strings or not one per class. Metadata is anyone's
 * to write: a malformed record never falls back to other labels quietly.
 */
export function recordedLabels(model: OnnxModel, source: string, classCount: number): readonly string[] | undefined {
  const labels = recordedJson(model, METADATA_KEYS.labels, source);
  if (labels === undefined) return undefined;
  if (!Array.isArray(labels) || !labels.every((l) => typeof l === 'string'))
    throw new ArchitectureError(`${source}: ${METADATA_KEYS.labels} is no JSON array of strings`);
  if (labels.length !== classCount)
    throw new ArchitectureError(`${source}: ${labels.length} labels for a model of ${classCount} classes`);
  return labels;
}

/** The preprocessing an ONNX model records (`nin.preprocessing`), through the one spec check; undefined when none. */
export function recordedPreprocessing(model: OnnxModel, source: string): PreprocessSpec | undefined {
  const spec = recordedJson(model, METADATA_KEYS.preprocessing, source);
  if (spec === undefined) return undefined;
  try {
    checkPreprocessSpec(spec);
  } catch (error) {
    throw new ArchitectureError(`${source}: ${METADATA_KEYS.preprocessing}: ${(error as Error).message}`);
  }
  return spec;
}

function recordedJson(model: OnnxModel, key: string, source: string): unknown {
  const text = model.metadata[key];
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ArchitectureError(`${source}: ${key}: not valid JSON`);
  }
}

/** A file without labels: `labels` when there is one per class, else class_0, class_1, … */
export function labelsForClasses(labels: readonly string[], count: number): readonly string[] {
  return labels.length === count ? labels : Array.from({ length: count }, (_, i) => `class_${i}`);
}

function familyLabels(family: FamilySpec, count: number): readonly string[] {
  return labelsForClasses(family.labels, count);
}
