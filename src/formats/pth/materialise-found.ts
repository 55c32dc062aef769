import type { UnpickledCheckpoint } from './container.js';
import {
  ALLOCATION_FACTOR,
  AllocationBudget,
  materialiseTensor,
  scalarValue,
  type MaterialiseContext,
} from './materialise.js';
import { isTensorRef, type TensorRef } from './torch-objects.js';
import type { Checkpoint, CheckpointTensor, ExtraValue, RawCheckpointTensor, ReadCheckpointOptions } from './types.js';

/**
 * The tensors and scalar extras of a found state_dict, materialised: only the storages they use are loaded, and all
 * of them together may take at most ALLOCATION_FACTOR × the file size beyond the views on the file's bytes.
 */
export function materialiseFound(
  container: UnpickledCheckpoint,
  fileSize: number,
  found: ReadonlyArray<readonly [string, TensorRef]>,
  foundExtras: ReadonlyArray<readonly [string, ExtraValue | TensorRef]>,
  options: ReadCheckpointOptions,
): Pick<Checkpoint<CheckpointTensor | RawCheckpointTensor>, 'format' | 'tensors' | 'extras'> {
  const needed = new Set<string>();
  for (const [, tensor] of found) needed.add(tensor.storage.key);
  for (const [, extra] of foundExtras) if (isTensorRef(extra)) needed.add(extra.storage.key);

  const context: MaterialiseContext = {
    keepDtype: options.keepDtype === true,
    littleEndian: container.littleEndian,
    storageBytes: container.loadStorages(needed),
    budget: new AllocationBudget(ALLOCATION_FACTOR * fileSize),
  };

  // Each TensorOf<…> pairs a dtype with its array type; materialiseTensor
  // upholds that pairing at run time, which the compiler cannot follow.
  const tensors = new Map<string, CheckpointTensor | RawCheckpointTensor>();
  for (const [name, tensor] of found) {
    tensors.set(name, materialiseTensor(name, tensor, context) as CheckpointTensor | RawCheckpointTensor);
  }
  // fromEntries defines properties, so a key named '__proto__' stays a key.
  const extras: Record<string, ExtraValue> = Object.fromEntries(
    foundExtras.map(([name, extra]) => [name, isTensorRef(extra) ? scalarValue(name, extra, context) : extra]),
  );
  return { format: container.format, tensors, extras };
}
