import { materialiseFound } from './materialise-found.js';
import { openCheckpoint } from './open-checkpoint.js';
import { standInName } from './pickle/placeholders.js';
import { findTensorDictionaries, ignoredObjects, type TensorDictionary } from './tensor-dictionaries.js';
import { asExtra } from './state-dict.js';
import type { TensorRef } from './torch-objects.js';
import type { UnpickledCheckpoint } from './container.js';
import type {
  Checkpoint,
  CheckpointFormat,
  CheckpointTensor,
  ExtraValue,
  RawCheckpointTensor,
  ReadCheckpointOptions,
} from './types.js';

/** A checkpoint unpickled but not yet materialised: every tensor dictionary it holds, one of which is to be read. */
export interface CheckpointContents {
  readonly format: CheckpointFormat;
  /** Every dictionary of named tensors in the file (tensorDictionaries.ts), in file order; may be empty. */
  readonly dictionaries: readonly TensorDictionary[];
  /**
   * One of `dictionaries` as readCheckpoint returns a state_dict: its tensors materialised (only their storages are
   * loaded), the scalars beside it as extras, and in `placeholders` the class names of everything else the file
   * pickled that was kept inert and is left aside (`collections.Counter`, `torch.nn.modules.loss.CrossEntropyLoss`).
   */
  read(dictionary: TensorDictionary): Checkpoint<CheckpointTensor>;
  read(
    dictionary: TensorDictionary,
    options: ReadCheckpointOptions,
  ): Checkpoint<CheckpointTensor | RawCheckpointTensor>;
}

/**
 * Opens a checkpoint (any format) and finds its tensor dictionaries, leaving the choice of one to the caller: the
 * converter takes the one an architecture fits. Nothing in the file is run (see pickle/placeholders.ts).
 *
 * @throws CheckpointError for malformed, truncated or hostile input.
 */
export function openCheckpointContents(bytes: Uint8Array): CheckpointContents {
  const input = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return contentsOf(openCheckpoint(input), input.length);
}

/** The contents of a container already opened (readCheckpoint's fallback: see index.ts). */
export function contentsOf(container: UnpickledCheckpoint, fileSize: number): CheckpointContents {
  const dictionaries = findTensorDictionaries(container.root);
  return {
    format: container.format,
    dictionaries,
    read(dictionary: TensorDictionary, options: ReadCheckpointOptions = {}) {
      const parent = parentOf(container.root, dictionary);
      const read = materialiseFound(container, fileSize, dictionary.tensors, extrasIn(parent, dictionary), options);
      return {
        ...read,
        tensors: read.tensors as ReadonlyMap<string, CheckpointTensor>,
        wrapper: dictionary.keyPath.length === 0 ? 'bare' : String(dictionary.keyPath[dictionary.keyPath.length - 1]),
        strippedPrefix: dictionary.strippedPrefix,
        placeholders: ignoredObjects(container.root, dictionary, standInName),
      };
    },
  };
}

/** The dict that holds the dictionary (its scalars are the extras: epoch, acc …); undefined at the root. */
function parentOf(root: unknown, dictionary: TensorDictionary): unknown {
  let value = root;
  for (const part of dictionary.keyPath.slice(0, -1)) {
    if (value instanceof Map) value = value.has(part) ? value.get(part) : value.get(String(part));
    else if (Array.isArray(value) && typeof part === 'number') value = value[part];
    else return undefined;
  }
  return dictionary.keyPath.length === 0 ? undefined : value;
}

/** Plain scalars (and one-element tensors) beside the dictionary in its parent dict. */
function extrasIn(parent: unknown, dictionary: TensorDictionary): Array<readonly [string, ExtraValue | TensorRef]> {
  const extras: Array<readonly [string, ExtraValue | TensorRef]> = [];
  if (!(parent instanceof Map)) return extras;
  const own = dictionary.keyPath[dictionary.keyPath.length - 1];
  for (const [key, value] of parent) {
    if (typeof key !== 'string' || key === own || value === dictionary.source) continue;
    const extra = asExtra(value);
    if (extra !== undefined) extras.push([key, extra]);
  }
  return extras;
}
