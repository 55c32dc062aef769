/**
 * The training checkpoint file (`checkpoint.nintrain`): a zip of stored (uncompressed) entries, readable with any
 * zip tool, numpy (`np.frombuffer(z.read('parameters.f32'), '<f4')`) or this module, in Node and browsers:
 *
 *   checkpoint.json               { format: 'nin-sdk.training-checkpoint', version: 3,
 *                                   architecture: { family, widths } (a NIN)
 *                                                 | { registry, architecture: <the entry as --arch JSON> } (a
 *                                                 converter registry entry, BatchNorm folded; channels from the
 *                                                 tensors' shapes; the entry stored whole, so the file does not
 *                                                 depend on what the registry holds later)
 *                                                 | { custom: <nin-convert --arch JSON> } (likewise),
 *                                   frozen?: [names of parameters that are fed but not trained],
 *                                   optimizer: { kind: 'sgd', momentum, nesterov, groups } | { kind: 'adamw', beta1, beta2, epsilon, groups },
 *                                              (groups: [{ name, parameters: [state_dict names], lr, weightDecay }])
 *                                   step: optimizer steps taken,
 *                                   tensors: [{ name, shape, offset }]   (offset in values, the same in every .f32 file;
 *                                             the layout: read from here, whatever the architecture),
 *                                   files: { parameters: 'parameters.f32', optimizerState: { <key>: 'optimizer/<key>.f32' } },
 *                                   progress?: { recipe: { schedule, epochs, batchSize, baseLr, seed, init, augment, logEvery,
 *                                                          startModelSha256?, validation? },
 *                                                iterator: { seed, epoch, position, random, datasetCount },
 *                                                bestAccuracy, labels, preprocessing } }
 *   parameters.f32                every parameter, state_dict order, float32 little-endian
 *   optimizer/momentum_buffer.f32 (SGD) or optimizer/exp_avg.f32 + optimizer/exp_avg_sq.f32 (AdamW), same layout
 *
 * Version 2 is the same with a registry entry named by id only (`{ registry }`), looked up in the registry when
 * read; version 1 (nin-sdk before generic training) is version 2 without `frozen`, its architecture always a NIN.
 * Both are still read.
 *
 * JSON for everything small, so a person can read where a run stands; raw float32 for the rest, so saving every
 * few minutes costs a copy and no encoding.
 */
import { zipSync, type Zippable } from 'fflate';
import { CheckpointError, type CheckpointErrorCode, readZipEntries } from '../../formats/index.js';
import { architectureById, architectureToJson, validateArchitecture } from '../../convert/index.js';
import * as v from 'valibot';
import {
  boundedArray,
  boundedString,
  describeValue,
  got,
  isRecord,
  parseUntrusted,
  record,
  wholeNumber,
} from '../../schema/index.js';
import type { ParameterSpec } from '../model/forward-model.js';
import { ninParameters } from '../nin/architecture.js';
import { checkOptimizerSettings, OPTIMIZER_STATE_KEYS } from '../optimizer/settings.js';
import { checkTrainingProgress } from './progress.js';
import { specArchitecture } from './forward.js';
import {
  checkpointArchitecture,
  isNinArchitectureSpec,
  parameterSlots,
  trainableTensors,
  type ArchitectureSpec,
  type NinArchitectureSpec,
  type TrainingCheckpoint,
} from './state.js';

export const CHECKPOINT_FORMAT = 'nin-sdk.training-checkpoint';
export const CHECKPOINT_VERSION = 3;
/** Versions this code reads. */
const READABLE_VERSIONS: readonly number[] = [1, 2, 3];
/** Bounds on what a checkpoint.json may declare, so a hostile one cannot ask for absurd allocations. */
const MAX_TENSORS = 100_000;
const MAX_RANK = 8;
const MAX_NAME_LENGTH = 1024;
const JSON_ENTRY = 'checkpoint.json';
const PARAMETERS_ENTRY = 'parameters.f32';
const stateEntry = (key: string): string => `optimizer/${key}.f32`;

/** A file that is not a training checkpoint of this format, or a damaged one. */
export class TrainingCheckpointError extends Error {
  override readonly name = 'TrainingCheckpointError';
}

interface CheckpointJson {
  readonly format: string;
  readonly version: number;
  readonly architecture:
    | NinArchitectureSpec
    | { readonly registry: string; readonly architecture: Record<string, unknown> }
    | { readonly custom: Record<string, unknown> };
  readonly optimizer: unknown;
  readonly step: number;
  readonly frozen?: readonly string[];
  readonly tensors: ReadonlyArray<{
    readonly name: string;
    readonly shape: readonly number[];
    readonly offset: number;
  }>;
  readonly files: { readonly parameters: string; readonly optimizerState: Readonly<Record<string, string>> };
  readonly progress?: unknown;
}

/**
 * A training checkpoint's bytes (format version 3), keyed by parameter names and shapes.
 *
 * @param checkpoint - the run's state (TrainingSession's getState)
 * @returns the checkpoint.nintrain bytes: a stored zip of checkpoint.json and float32 .f32 files
 * @example
 * ```ts
 * import { encodeTrainingCheckpoint, type TrainingSession } from 'nin-sdk/train';
 * import { writeFileSync } from 'node:fs';
 * declare const session: TrainingSession;
 * writeFileSync('checkpoint.nintrain', encodeTrainingCheckpoint(await session.getState()));
 * ```
 */
export function encodeTrainingCheckpoint(checkpoint: TrainingCheckpoint): Uint8Array {
  assertLittleEndian();
  const slots = parameterSlots(checkpoint.tensors);
  const stateKeys = OPTIMIZER_STATE_KEYS[checkpoint.optimizer.kind];
  const json: CheckpointJson = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    architecture: architectureJson(checkpoint.architecture),
    optimizer: checkpoint.optimizer,
    step: checkpoint.step,
    ...(checkpoint.frozen === undefined ? {} : { frozen: checkpoint.frozen }),
    tensors: slots.map(({ name, shape, offset }) => ({ name, shape, offset })),
    files: {
      parameters: PARAMETERS_ENTRY,
      optimizerState: Object.fromEntries(stateKeys.map((key) => [key, stateEntry(key)])),
    },
    ...(checkpoint.progress === undefined ? {} : { progress: checkpoint.progress }),
  };
  const files: Zippable = {
    [JSON_ENTRY]: new TextEncoder().encode(`${JSON.stringify(json, null, 1)}\n`),
    [PARAMETERS_ENTRY]: floatBytes(checkpoint.parameters),
  };
  for (const key of stateKeys) {
    const state = checkpoint.optimizerState[key];
    if (state === undefined)
      throw new RangeError(`encodeTrainingCheckpoint: the ${checkpoint.optimizer.kind} state '${key}' is missing`);
    files[stateEntry(key)] = floatBytes(state);
  }
  // level 0: stored, as the float data does not compress enough to pay for deflating it at every save.
  return zipSync(files, { level: 0, mtime: new Date('1980-01-01T00:00:00Z') });
}

/** The guarded zip reader's refusals of a zip's structure (the others mean: not a zip). */
const GUARD_REFUSALS: ReadonlySet<CheckpointErrorCode> = new Set(['malformed-zip', 'unsafe-entry-name', 'too-large']);

/** More than the JSON, the parameters and every optimizer's state entries together. */
const MAX_ENTRIES = 16;

/**
 * A training checkpoint read back, checked against its own manifest (names, shapes, sizes).
 *
 * @param bytes - a checkpoint.nintrain file's bytes (format versions 1 to 3)
 * @returns the run's state: architecture, parameters, optimizer state, step, progress
 * @throws TrainingCheckpointError for bytes that are not such a checkpoint
 * @example
 * ```ts
 * import { decodeTrainingCheckpoint } from 'nin-sdk/train';
 * import { readFileSync } from 'node:fs';
 * const checkpoint = decodeTrainingCheckpoint(readFileSync('checkpoint.nintrain'));
 * console.log(checkpoint.step, checkpoint.optimizer.kind);
 * ```
 */
export function decodeTrainingCheckpoint(bytes: Uint8Array): TrainingCheckpoint {
  assertLittleEndian();
  let entries: Map<string, Uint8Array>;
  let count = 0;
  try {
    // Through the one zip reader (entry count bounded by the file, names checked, sizes budgeted, no overlaps).
    entries = readZipEntries(bytes, ({ name, compression }) => {
      // encodeTrainingCheckpoint stores every entry (level 0): a deflated one could inflate far past the file's own
      // size (a zip bomb given as --from), and a stored one is at most the file. Few entries: a checkpoint has ~4.
      if (compression !== 0)
        throw new TrainingCheckpointError(`${name} is compressed; a training checkpoint stores its entries`);
      if (++count > MAX_ENTRIES) throw new TrainingCheckpointError(`more than ${MAX_ENTRIES} zip entries`);
      return true;
    });
  } catch (error) {
    if (error instanceof TrainingCheckpointError) throw error;
    // A zip whose structure is hostile or broken is said as such; bytes with no zip end record are no zip at all.
    if (error instanceof CheckpointError && GUARD_REFUSALS.has(error.code))
      throw new TrainingCheckpointError(error.message);
    throw new TrainingCheckpointError('not a training checkpoint (not a zip file)');
  }
  const jsonBytes = entries.get(JSON_ENTRY);
  if (jsonBytes === undefined) throw new TrainingCheckpointError(`not a training checkpoint (no ${JSON_ENTRY})`);
  let json: CheckpointJson;
  try {
    json = JSON.parse(new TextDecoder().decode(jsonBytes)) as CheckpointJson;
  } catch {
    throw new TrainingCheckpointError(`${JSON_ENTRY} is not valid JSON`);
  }
  if (json.format !== CHECKPOINT_FORMAT)
    throw new TrainingCheckpointError(`not a training checkpoint (format '${String(json.format)}')`);
  if (!READABLE_VERSIONS.includes(json.version)) {
    throw new TrainingCheckpointError(
      `training checkpoint version ${String(json.version)}; this nin-sdk reads versions ${READABLE_VERSIONS.join(', ')}`,
    );
  }
  try {
    const architecture = checkArchitectureSpec(json.architecture, json.version);
    const tensors = checkTensors(json.tensors);
    if ('family' in architecture) {
      // A NIN's layout is its architecture's: the two must agree.
      const expected = ninParameters(checkpointArchitecture(architecture));
      if (!sameLayout(expected, tensors))
        throw new RangeError(
          `tensors do not match the ${architecture.family} NIN of widths ${architecture.widths.join(',')}`,
        );
    }
    const frozen = checkFrozen(json.frozen, tensors);
    const slots = parameterSlots(tensors);
    const total = slots.reduce((sum, s) => sum + s.length, 0);
    const optimizer = checkOptimizerSettings(
      json.optimizer,
      trainableTensors({ tensors, frozen }).map((p) => p.name),
    );
    if (!Number.isSafeInteger(json.step) || json.step < 0)
      throw new RangeError(`step must be a whole number ≥ 0, got ${String(json.step)}`);
    const read = (entry: string | undefined, what: string): Float32Array => {
      const data = entry === undefined ? undefined : entries.get(entry);
      if (data === undefined) throw new RangeError(`${what} is missing`);
      if (data.length !== 4 * total)
        throw new RangeError(`${what} holds ${data.length / 4} values, the architecture has ${total} parameters`);
      return new Float32Array(data.slice().buffer);
    };
    const optimizerState = Object.fromEntries(
      OPTIMIZER_STATE_KEYS[optimizer.kind].map((key) => [
        key,
        read(json.files?.optimizerState?.[key], `optimizer state '${key}'`),
      ]),
    );
    return {
      architecture,
      tensors,
      ...(frozen === undefined ? {} : { frozen }),
      optimizer,
      step: json.step,
      parameters: read(json.files?.parameters, 'parameters'),
      optimizerState,
      ...(json.progress === undefined ? {} : { progress: checkTrainingProgress(json.progress) }),
    };
  } catch (error) {
    if (error instanceof TrainingCheckpointError) throw error;
    throw new TrainingCheckpointError(
      `damaged training checkpoint: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** The spec as checkpoint.json keeps it: a registry entry's layers written out, whatever the registry holds later. */
function architectureJson(spec: ArchitectureSpec): CheckpointJson['architecture'] {
  if (isNinArchitectureSpec(spec)) return spec;
  if ('custom' in spec) return { custom: architectureToJson(spec.custom) };
  return { registry: spec.registry, architecture: architectureToJson(specArchitecture(spec)) };
}

function checkArchitectureSpec(value: unknown, version: number): ArchitectureSpec {
  if (!isRecord(value)) throw new RangeError('architecture must be an object');
  if (version >= 2 && value['custom'] !== undefined) {
    return { custom: validateArchitecture(value['custom'], 'the checkpoint architecture') };
  }
  if (version >= 2 && typeof value['registry'] === 'string') {
    const registry = value['registry'];
    // Version 3 stores the entry: read it, not the registry of today. Version 2 named it only.
    if (version >= 3 && value['architecture'] !== undefined) {
      const architecture = validateArchitecture(value['architecture'], `the checkpoint's ${registry} architecture`);
      if (architecture.id !== registry)
        throw new RangeError(`architecture: the stored entry is '${architecture.id}', not '${registry}'`);
      return { registry, architecture };
    }
    if (architectureById(registry) === undefined) throw new RangeError(`unknown architecture '${registry}'`);
    return { registry };
  }
  const { family, widths, batchNorm } = value;
  if (typeof family !== 'string' || !Array.isArray(widths) || !widths.every((w) => Number.isSafeInteger(w)))
    throw new RangeError(
      'architecture must be { family, widths }' + (version >= 2 ? ', { registry } or { custom }' : ''),
    );
  if (batchNorm !== undefined && batchNorm !== true)
    throw new RangeError(`architecture.batchNorm must be true or absent, got ${describeValue(batchNorm)}`);
  const spec = (batchNorm === true ? { family, widths, batchNorm } : { family, widths }) as ArchitectureSpec;
  checkpointArchitecture(spec); // names the unknown family or bad widths
  return spec;
}

const TENSOR = record({
  name: v.pipe(boundedString(MAX_NAME_LENGTH), v.minLength(1, got('must be a non-empty string'))),
  shape: boundedArray(wholeNumber(1), MAX_RANK, `must be up to ${MAX_RANK} positive whole numbers`),
  offset: wholeNumber(0),
});
const TENSORS = v.pipe(
  boundedArray(TENSOR, MAX_TENSORS, `must be a list of 1 to ${MAX_TENSORS} entries`),
  v.minLength(1, got(`must be a list of 1 to ${MAX_TENSORS} entries`)),
);

/** The tensors list: unique names, positive whole dims, offsets laid out one after another. */
function checkTensors(value: unknown): ParameterSpec[] {
  const names = new Set<string>();
  let offset = 0;
  return parseUntrusted(TENSORS, value, 'tensors').map(({ name, shape, offset: given }, i) => {
    if (names.has(name)) throw new RangeError(`tensors[${i}].name must be unique, got ${describeValue(name)}`);
    names.add(name);
    if (given !== offset) throw new RangeError(`tensor ${name}: offset should be ${offset}`);
    offset += shape.reduce((a, b) => a * b, 1);
    if (!Number.isSafeInteger(offset)) throw new RangeError(`tensor ${name}: too large`);
    return { name, shape };
  });
}

function checkFrozen(value: unknown, tensors: readonly ParameterSpec[]): string[] | undefined {
  if (value === undefined) return undefined;
  const names = new Set(tensors.map((t) => t.name));
  if (!Array.isArray(value) || !value.every((n) => typeof n === 'string' && names.has(n)))
    throw new RangeError('frozen must be a list of parameter names');
  if (new Set(value).size !== value.length) throw new RangeError('frozen names a parameter twice');
  if (value.length >= tensors.length) throw new RangeError('frozen: every parameter is frozen');
  return value as string[];
}

function sameLayout(a: readonly ParameterSpec[], b: readonly ParameterSpec[]): boolean {
  return (
    a.length === b.length &&
    a.every(
      (p, i) =>
        p.name === b[i]!.name && p.shape.length === b[i]!.shape.length && p.shape.every((d, k) => d === b[i]!.shape[k]),
    )
  );
}

function floatBytes(values: Float32Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** The .f32 files are little-endian and written straight from Float32Arrays, which are in the platform's order. */
function assertLittleEndian(): void {
  if (new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1)
    throw new Error('training checkpoints need a little-endian platform');
}
