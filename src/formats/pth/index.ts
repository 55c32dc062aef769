/**
 * Reads PyTorch checkpoints (.pth, .pth.tar, .pt) from bytes into plain typed
 * tensors, in Node and in browsers alike (Uint8Array and DataView only).
 *
 *   const checkpoint = readCheckpoint(bytes);
 *   checkpoint.tensors.get('features.0.weight') // { dtype: 'float32', shape: [96, 3, 11, 11], data: Float32Array }
 *
 * Nothing in the file is ever run: unpickling resolves only an allow-list of
 * globals, as torch.load(weights_only=True) does. Every problem with the input
 * is a CheckpointError with a stable `code`.
 */
import { contentsOf } from './checkpoint-contents.js';
import { CheckpointError } from './errors.js';
import { materialiseFound } from './materialise-found.js';
import { openCheckpoint } from './open-checkpoint.js';
import { findStateDict } from './state-dict.js';
import type {
  Checkpoint,
  CheckpointTensor,
  FloatCheckpointTensor,
  RawCheckpointTensor,
  ReadCheckpointOptions,
} from './types.js';

export { CheckpointError, type CheckpointErrorCode } from './errors.js';
export { openCheckpointContents, type CheckpointContents } from './checkpoint-contents.js';
export type { TensorDictionary } from './tensor-dictionaries.js';
export type {
  Checkpoint,
  CheckpointFormat,
  CheckpointTensor,
  CheckpointWrapper,
  ConvertedArrayOf,
  Dtype,
  ExtraValue,
  FloatCheckpointTensor,
  FloatingDtype,
  IntegerDtype,
  RawArrayOf,
  RawCheckpointTensor,
  ReadCheckpointOptions,
  TensorOf,
} from './types.js';

/**
 * Reads a checkpoint and returns its state_dict as tensors.
 *
 * By default floating tensors (float32, float16, bfloat16, float64) come as
 * Float32Array; integer and bool tensors (such as BatchNorm's int64
 * `num_batches_tracked`) always keep their exact values in their own typed
 * array (BigInt64Array …). With `{ keepDtype: true }` floating tensors keep
 * theirs too (float16/bfloat16 as Uint16Array bit patterns).
 *
 * Tensor data may be a view on `bytes`: do not reuse that buffer while the
 * tensors are in use.
 *
 * @param bytes - the file's bytes (.pth, .pth.tar, .pt: zip or legacy)
 * @param options - whether floating tensors keep their own dtype
 * @returns the state_dict's tensors, where they were found, and what was saved beside them
 * @throws CheckpointError for any malformed, truncated, hostile or unrecognised input.
 * @example
 * ```ts
 * import { readCheckpoint } from 'nin-sdk';
 * import { readFileSync } from 'node:fs';
 * const { tensors } = readCheckpoint(readFileSync('nin.pth'));
 * console.log(tensors.get('features.0.weight')?.shape); // [96, 3, 11, 11]
 * ```
 */
export function readCheckpoint(
  bytes: Uint8Array,
  options?: ReadCheckpointOptions & { readonly keepDtype?: false },
): Checkpoint<CheckpointTensor>;
/**
 * readCheckpoint with `{ keepDtype: true }`: floating tensors in their own dtype (float16 and bfloat16 as Uint16Array
 * bit patterns, float64 as Float64Array).
 *
 * @param bytes - the file's bytes
 * @param options - `{ keepDtype: true }`
 * @returns the state_dict's tensors in their saved dtypes
 * @throws CheckpointError for any malformed, truncated, hostile or unrecognised input.
 * @example
 * ```ts
 * import { readCheckpoint } from 'nin-sdk';
 * import { readFileSync } from 'node:fs';
 * const weight = readCheckpoint(readFileSync('half.pth'), { keepDtype: true }).tensors.get('features.0.weight');
 * if (weight?.dtype === 'float16') console.log(weight.data instanceof Uint16Array); // true
 * ```
 */
export function readCheckpoint(
  bytes: Uint8Array,
  options: ReadCheckpointOptions & { readonly keepDtype: true },
): Checkpoint<RawCheckpointTensor>;
/**
 * readCheckpoint when whether to keep dtypes is decided at run time: the tensors are of either kind.
 *
 * @param bytes - the file's bytes
 * @param options - whether floating tensors keep their own dtype
 * @returns the state_dict's tensors, float32 or in their saved dtypes as `keepDtype` says
 * @throws CheckpointError for any malformed, truncated, hostile or unrecognised input.
 * @example
 * ```ts
 * import { readCheckpoint } from 'nin-sdk';
 * import { readFileSync } from 'node:fs';
 * declare const keepDtype: boolean;
 * const { tensors } = readCheckpoint(readFileSync('nin.pth'), { keepDtype });
 * ```
 */
export function readCheckpoint(
  bytes: Uint8Array,
  options?: ReadCheckpointOptions,
): Checkpoint<CheckpointTensor | RawCheckpointTensor>;
export function readCheckpoint(
  bytes: Uint8Array,
  options: ReadCheckpointOptions = {},
): Checkpoint<CheckpointTensor | RawCheckpointTensor> {
  // A Node Buffer is a Uint8Array whose slice() shares memory; a plain view on
  // the same bytes keeps every operation below standard (and copies nothing).
  const input = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const container = openCheckpoint(input);
  let found;
  try {
    found = findStateDict(container.root);
  } catch (error) {
    // Not where scripts usually put it ({'network': …}, a pickled nn.Module …): the file's one dict of tensors, if it
    // has exactly one. Where it has several, choosing is the converter's (openCheckpointContents).
    if (!(error instanceof CheckpointError) || error.code !== 'not-a-state-dict') throw error;
    const contents = contentsOf(container, input.length);
    if (contents.dictionaries.length !== 1) throw error;
    return contents.read(contents.dictionaries[0]!, options);
  }
  return {
    ...materialiseFound(container, input.length, found.tensors, found.extras, options),
    wrapper: found.wrapper,
    strippedPrefix: found.strippedPrefix,
    placeholders: found.placeholders,
  };
}

/** Narrows a default-materialised tensor to the floating ones, whose data is Float32Array. */
export function isFloatTensor(tensor: CheckpointTensor): tensor is FloatCheckpointTensor {
  return tensor.data instanceof Float32Array;
}
