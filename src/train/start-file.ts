import { ArchitectureError } from '../convert/index.js';
import { CheckpointError, readZipDirectory } from '../formats/index.js';
import { float16ArrayToFloat32, readOnnxProto, type Graph, type OnnxModel } from '../graph/index.js';
import { checkModel, NotOnnxError, METADATA_KEYS, ModelError } from '../model/index.js';
import { checkPreprocessSpec, type PreprocessSpec } from '../preprocess/index.js';
import { decodeTrainingCheckpoint, TrainingCheckpointError } from './checkpoint/format.js';
import type { TrainingCheckpoint } from './checkpoint/state.js';

/**
 * The files a training run may start from (`nin-sdk train --from`, `nin-sdk average`), told apart by their first
 * bytes, and the readers that name the file in their errors. What each holds is training-start.ts's to read.
 */

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

/** Runs `read` (a checkpoint reader), its CheckpointError and ArchitectureError naming the file (`average` reads several). */
export function namingSource<T>(source: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof CheckpointError) throw new CheckpointError(error.code, `${source}: ${error.message}`);
    // The remedy in these commands' words: they take nin-convert's --arch (its ids include --family's), not --family.
    if (error instanceof ArchitectureError)
      throw new ArchitectureError(`${source}: ${error.detail}${startRemedy(error)}`);
    throw error;
  }
}

function startRemedy(error: ArchitectureError): string {
  const { remedy } = error;
  if (remedy?.option !== 'family') return '';
  return `. If the keys were renamed, name the architecture with --arch ${remedy.choices.join('|')}`;
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
