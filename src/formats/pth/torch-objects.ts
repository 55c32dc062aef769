import { quote } from './errors.js';
import type { Dtype } from './types.js';
import { isPlaceholder } from './pickle/placeholders.js';

/**
 * What the unpickler builds in place of torch's objects. They only record the
 * arguments the pickle gave; bytes are looked up and tensors materialised
 * later, and only for the tensors that end up in the state_dict.
 * Instances are frozen, and only those made by these constructors pass the
 * brand checks isStorageRef / isTensorRef: a module-private WeakSet holds
 * them, so no object built from pickle data can pass for one, whatever its
 * prototype chain says (instanceof only reads that chain).
 */

const genuineStorages = new WeakSet<object>();
const genuineTensors = new WeakSet<object>();

/** A storage as its persistent id declares it. */
export class StorageRef {
  constructor(
    /** The key of the storage that owns the bytes (entry data/<key>, or the legacy key). */
    readonly key: string,
    readonly dtype: Dtype,
    /** Where this storage starts inside the owning storage: non-zero only for torch <= 0.3 storage views. */
    readonly elementOffset: number,
    /** Elements this storage holds. */
    readonly numel: number,
  ) {
    Object.freeze(this);
    genuineStorages.add(this);
  }

  describe(): string {
    return `storage ${quote(this.key)}`;
  }
}

/** A tensor as `_rebuild_tensor{,_v2}` received it: a strided window on a storage. */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    /** In elements, from the start of `storage`. */
    readonly offset: number,
    readonly shape: readonly number[],
    /** In elements; torch never writes negative strides. */
    readonly stride: readonly number[],
  ) {
    Object.freeze(this);
    genuineTensors.add(this);
  }

  describe(): string {
    return `a ${this.storage.dtype} tensor of shape [${this.shape.join(', ')}]`;
  }
}

export function isStorageRef(value: unknown): value is StorageRef {
  return typeof value === 'object' && value !== null && genuineStorages.has(value);
}

export function isTensorRef(value: unknown): value is TensorRef {
  return typeof value === 'object' && value !== null && genuineTensors.has(value);
}

/**
 * A short description of an unpickled value for error messages: its kind and,
 * for scalars, the value. Never walks into containers (they may be cyclic or
 * huge).
 */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'string') return `the string ${quote(value, 40)}`;
  if (typeof value === 'number' || typeof value === 'bigint') return `the number ${String(value)}`;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (isTensorRef(value) || isStorageRef(value) || isPlaceholder(value)) return value.describe();
  if (Array.isArray(value)) return `a tuple or list of ${value.length}`;
  if (value instanceof Map) return `a dict of ${value.size}`;
  if (ArrayBuffer.isView(value)) return `${value.byteLength} raw bytes`;
  if (typeof value === 'function') return 'a class or function';
  return 'an object';
}
