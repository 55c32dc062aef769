import { readOnnxMetadata } from '../graph/index.js';
import { checkModel, type CheckedModel } from './checked-model.js';
import { ModelError } from './model-error.js';
import { checkPreprocessSpec, type PreprocessSpec } from '../preprocess/index.js';
import { QUANTIZATION_METADATA_KEYS } from './quantization-metadata.js';
import { dtypeOfMetadata, type ModelDtype } from './dtype.js';
import { METADATA_KEYS, type NinModelMetadata } from './metadata.js';
import * as v from 'valibot';
import { boundedString, got, isRecord, parseUntrusted, record, whole } from '../schema/index.js';
import { summarizeArchitecture, type ArchitectureSummary } from './architecture-summary.js';
import { findPooledMap, mapGeometry, type ClassMapsInGraph } from './class-maps.js';

export { ModelError } from './model-error.js';

/**
 * What a nin-sdk model says of itself, read from its ONNX metadata when it is loaded.
 *
 * @example
 * ```ts
 * import { loadClassifier, type ModelInfo } from 'nin-sdk';
 * const info: ModelInfo = (await loadClassifier()).info;
 * console.log(info.family, info.labels.length, info.dtype, info.architectureSummary?.title);
 * ```
 */
export interface ModelInfo extends NinModelMetadata {
  readonly opsetVersion: number;
  readonly irVersion: number;
  readonly producer: string;
  /**
   * Channels of the image input: the preprocessing spec's `channels`, else those 'nin.architecture' records (models
   * converted before the spec carried them), else 3. `preprocessing.channels` is set to the same when 1 or 3.
   */
  readonly inputChannels: number;
  /** 'int8' for models made by `nin-sdk quantize` (metadata `nin.dtype`), else 'fp32'. */
  readonly dtype: ModelDtype;
  /** How an int8 model's activation ranges were calibrated (metadata `nin.calibration`, JSON), if it says. */
  readonly calibration?: string;
  /** The recorded architecture ('nin.architecture') in brief, when nin-convert recorded one. */
  readonly architectureSummary?: ArchitectureSummary;
  /**
   * The class maps output ('nin.outputs' `maps`) and where its cells lie in the input, when the model has one
   * (loading adds it to models of the pattern that lack it: withClassMaps).
   */
  readonly classMaps?: ClassMapsInGraph;
}

/** Bounds of the metadata lists: ImageNet has 1000 classes, a conversion a handful of assumptions. */
const MAX_LIST = 100_000;
const MAX_TEXT = 4096;
const LABELS = v.pipe(
  whole(v.array(v.string()), 'must be a non-empty JSON array of strings'),
  v.check((list) => list.length > 0, got('must be a non-empty JSON array of strings')),
  v.check((list) => list.length <= MAX_LIST, got(`must hold at most ${MAX_LIST} labels`)),
  v.check(
    (list) => list.every((label) => label.length <= MAX_TEXT),
    got(`must hold labels of at most ${MAX_TEXT} characters`),
  ),
);
const STRING_LIST = whole(
  v.pipe(v.array(boundedString(MAX_TEXT)), v.maxLength(MAX_LIST)),
  `must be a JSON array of at most ${MAX_LIST} strings`,
);
const OUTPUT_NAME = v.pipe(
  boundedString(MAX_TEXT, 'must be a non-empty output name'),
  v.minLength(1, got('must be a non-empty output name')),
);
const OUTPUTS = record({ logits: OUTPUT_NAME, probabilities: OUTPUT_NAME, maps: v.optional(OUTPUT_NAME) });
/** The outputs a model's metadata names when it names none (models converted before 'nin.outputs' existed). */
const DEFAULT_OUTPUTS = { logits: 'logits', probabilities: 'probabilities' } as const;

/**
 * 'nin.outputs' as readModelInfo reads it (the defaults where the metadata has none), for a caller that must not
 * throw: undefined where it does not read, and readModelInfo says why.
 */
export function recordedOutputNames(text: string | undefined): v.InferOutput<typeof OUTPUTS> | undefined {
  if (text === undefined) return DEFAULT_OUTPUTS;
  try {
    const parsed = v.safeParse(OUTPUTS, JSON.parse(text));
    return parsed.success ? parsed.output : undefined;
  } catch {
    return undefined; // not JSON
  }
}

/**
 * Reads what the SDK needs from an ONNX model's bytes, checking them first as loading them would.
 *
 * @param bytes - the model's bytes
 * @param source - how errors name the model: its path, or 'model bytes'
 * @returns what the model's metadata says: family, labels, preprocessing, precision, the recorded architecture
 * @throws ModelError for bytes that are not a nin-sdk classifier
 * @example
 * ```ts
 * import { readModelInfo } from 'nin-sdk';
 * import { readFileSync } from 'node:fs';
 * const info = readModelInfo(readFileSync('nin.onnx'), 'nin.onnx');
 * console.log(info.family, info.dtype, info.preprocessing.inputSize);
 * ```
 */
export function readModelInfo(bytes: Uint8Array, source: string): ModelInfo {
  return readCheckedModelInfo(checkModel(bytes, source));
}

/**
 * readModelInfo of a model already checked (the classifiers, serve, quantize and `info` check it once and read it
 * here): what the SDK needs from its metadata_props (ONNX Runtime's JS API does not expose them), from the same
 * decoding whose encoding ONNX Runtime gets, checked to describe an image classifier. Internal: CheckedModel is not
 * part of the public API.
 */
export function readCheckedModelInfo(model: CheckedModel): ModelInfo {
  const { source } = model;
  let header;
  try {
    header = readOnnxMetadata(model.proto);
  } catch (error) {
    throw new ModelError(`${source} is not an ONNX model (${(error as Error).message.replace(/^readOnnx: /, '')})`);
  }
  const metadata = header.metadata;
  const need = (key: string): string => {
    const value = metadata[key];
    if (value === undefined) {
      throw new ModelError(
        `${source} is not a nin-sdk classifier: it has no '${key}' metadata (convert the PyTorch checkpoint with nin-convert)`,
      );
    }
    return value;
  };
  const labels = parseMetadata(LABELS, need(METADATA_KEYS.labels), METADATA_KEYS.labels, source);
  const recordedChannels = inputChannelsOf(metadata[METADATA_KEYS.architecture]);
  const preprocessing = withChannels(
    checkPreprocessing(parseJson(need(METADATA_KEYS.preprocessing), METADATA_KEYS.preprocessing, source), source),
    recordedChannels,
    source,
  );
  const outputs = parseMetadata(
    OUTPUTS,
    metadata[METADATA_KEYS.outputs] ?? JSON.stringify(DEFAULT_OUTPUTS),
    METADATA_KEYS.outputs,
    source,
  );
  const classMaps = outputs.maps === undefined ? undefined : checkedClassMaps(model, outputs.logits, outputs.maps);
  return {
    family: need(METADATA_KEYS.family),
    labels,
    preprocessing,
    outputs: {
      logits: outputs.logits,
      probabilities: outputs.probabilities,
      ...(outputs.maps === undefined ? {} : { maps: outputs.maps }),
    },
    sourceSha256: metadata[METADATA_KEYS.sourceSha256],
    sourceFormat: metadata[METADATA_KEYS.sourceFormat],
    converter: metadata[METADATA_KEYS.converter],
    opsetVersion: header.opsetVersion,
    irVersion: header.irVersion,
    producer: `${header.producerName} ${header.producerVersion}`.trim(),
    inputChannels: preprocessing.channels ?? recordedChannels ?? 3,
    dtype: dtypeOfMetadata(metadata),
    calibration: metadata[QUANTIZATION_METADATA_KEYS.calibration],
    architecture: metadata[METADATA_KEYS.architecture],
    assumptions: stringListOf(metadata[METADATA_KEYS.assumptions], METADATA_KEYS.assumptions, source),
    sourceEntry: metadata[METADATA_KEYS.sourceEntry],
    ignored: stringListOf(metadata[METADATA_KEYS.ignored], METADATA_KEYS.ignored, source),
    architectureSummary: summarizeArchitecture(metadata[METADATA_KEYS.architecture]),
    ...(classMaps === undefined ? {} : { classMaps }),
  };
}

/**
 * The maps 'nin.outputs' names, when they are a graph output whose spatial means are the logits (findPooledMap):
 * a name that is anything else is refused, so that no map is shown for a class it does not score. Undefined (no
 * maps offered) where their geometry cannot be traced back to the input, as behind a preprocessing graph.
 */
function checkedClassMaps(model: CheckedModel, logits: string, maps: string): ClassMapsInGraph | undefined {
  const graph = model.proto.graph;
  const found = graph === undefined ? undefined : findPooledMap(graph, logits);
  // The output may be the pooled value itself (nin-convert's) or an Identity of it (what withClassMaps adds).
  const identity = graph?.node.find((n) => n.opType === 'Identity' && n.output[0] === maps);
  const pooled = identity?.input[0] ?? maps;
  if (graph === undefined || found?.value !== pooled || !graph.output.some((o) => o.name === maps)) {
    throw new ModelError(
      `${model.source}: '${METADATA_KEYS.outputs}' names ${JSON.stringify(maps)} as the class maps, but it is not an ` +
        `output whose spatial average pooling gives ${JSON.stringify(logits)}`,
    );
  }
  const geometry = mapGeometry(graph, pooled);
  return geometry === undefined ? undefined : { ...found, value: maps, geometry };
}

/**
 * The spec with the channels the graph takes: a spec without `channels` takes the architecture's when it is 1 (grey
 * models written before the spec carried channels); a spec whose channels contradict the architecture is refused.
 * A model without 'nin.architecture' (adopted from another exporter) has only its spec to say.
 */
function withChannels(spec: PreprocessSpec, recorded: number | undefined, source: string): PreprocessSpec {
  if (spec.channels === undefined) return recorded === 1 ? { ...spec, channels: 1 } : spec;
  if (recorded !== undefined && spec.channels !== recorded) {
    throw new ModelError(
      `${source}: '${METADATA_KEYS.preprocessing}' says ${spec.channels} channels but '${METADATA_KEYS.architecture}' ` +
        `says ${recorded}`,
    );
  }
  return spec;
}

/**
 * The input channel count recorded in 'nin.architecture' (nin-convert ≥ the architecture registry); 3 when the
 * record does not say (written before it did), undefined without a record.
 */
function inputChannelsOf(architecture: string | undefined): number | undefined {
  if (architecture === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(architecture);
    const channels = isRecord(parsed) ? parsed['inputChannels'] : undefined; // any other value: written before it was recorded
    return typeof channels === 'number' && Number.isInteger(channels) && channels > 0 ? channels : 3;
  } catch {
    return 3;
  }
}

/**
 * 'nin.assumptions' (what the conversion assumed rather than read) or 'nin.ignored' (what it left aside): a list that
 * cannot be read is refused, not hidden.
 */
function stringListOf(text: string | undefined, key: string, source: string): readonly string[] | undefined {
  return text === undefined ? undefined : parseMetadata(STRING_LIST, text, key, source);
}

/** A metadata value's JSON checked against `schema`, refusals as ModelErrors naming the model and the key. */
function parseMetadata<S extends v.GenericSchema>(
  schema: S,
  text: string,
  key: string,
  source: string,
): v.InferOutput<S> {
  const value = parseJson(text, key, source);
  try {
    return parseUntrusted(schema, value, `${source}: '${key}'`);
  } catch (error) {
    throw new ModelError((error as Error).message);
  }
}

function parseJson(text: string, key: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ModelError(`${source}: '${key}' metadata is not valid JSON`);
  }
}

/** The one spec check (src/preprocess/check-spec.ts), its RangeError told as what is wrong with this model. */
function checkPreprocessing(value: unknown, source: string): PreprocessSpec {
  try {
    checkPreprocessSpec(value);
  } catch (error) {
    const reason = (error as Error).message.replace(/^preprocessing spec: /, '');
    throw new ModelError(
      `${source}: '${METADATA_KEYS.preprocessing}' metadata is not a valid preprocessing spec: ${reason}`,
    );
  }
  return value;
}
