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
import {
  ALLOCATION_FACTOR,
  AllocationBudget,
  materialiseTensor,
  scalarValue,
  type MaterialiseContext,
} from './materialise.js';
import { openCheckpoint } from './open-checkpoint.js';
import { findStateDict } from './state-dict.js';
import { isTensorRef } from './torch-objects.js';
import type {
  Checkpoint,
  CheckpointTensor,
  ExtraValue,
  FloatCheckpointTensor,
  RawCheckpointTensor,
  ReadCheckpointOptions,
} from './types.js';

export { CheckpointError, type CheckpointErrorCode } from './errors.js';
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
 * @throws CheckpointError for any malformed, truncated, hostile or unrecognised input.
 */
export function readCheckpoint(
  bytes: Uint8Array,
  options?: ReadCheckpointOptions & { readonly keepDtype?: false },
): Checkpoint<CheckpointTensor>;
export function readCheckpoint(
  bytes: Uint8Array,
  options: ReadCheckpointOptions & { readonly keepDtype: true },
): Checkpoint<RawCheckpointTensor>;
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
  const found = findStateDict(container.root);

  const needed = new Set<string>();
  for (const [, tensor] of found.tensors) needed.add(tensor.storage.key);
  for (const [, extra] of found.extras) if (isTensorRef(extra)) needed.add(extra.storage.key);

  const context: MaterialiseContext = {
    keepDtype: options.keepDtype === true,
    littleEndian: container.littleEndian,
    storageBytes: container.loadStorages(needed),
    budget: new AllocationBudget(ALLOCATION_FACTOR * input.length),
  };

  // Each TensorOf<…> pairs a dtype with its array type; materialiseTensor
  // upholds that pairing at run time, which the compiler cannot follow.
  const tensors = new Map<string, CheckpointTensor | RawCheckpointTensor>();
  for (const [name, tensor] of found.tensors) {
    tensors.set(name, materialiseTensor(name, tensor, context) as CheckpointTensor | RawCheckpointTensor);
  }
  // fromEntries defines properties, so a key named '__proto__' stays a key.
  const extras: Record<string, ExtraValue> = Object.fromEntries(
    found.extras.map(([name, extra]) => [name, isTensorRef(extra) ? scalarValue(name, extra, context) : extra]),
  );

  return {
    format: container.format,
    tensors,
    wrapper: found.wrapper,
    strippedPrefix: found.strippedPrefix,
    extras,
    placeholders: found.placeholders,
  };
}

/** Narrows a default-materialised tensor to the floating ones, whose data is Float32Array. */
export function isFloatTensor(tensor: CheckpointTensor): tensor is FloatCheckpointTensor {
  return tensor.data instanceof Float32Array;
}
