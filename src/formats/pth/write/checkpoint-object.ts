import { pyGlobal, pyInt, pyPersistent, pyReduce, pyTuple, type PickleValue, type PyReduce } from './pickle-writer.js';

/**
 * The object torch.save pickles into `data.pkl` for a state_dict, built from the same few allow-listed globals that
 * torch.load(weights_only=True) resolves: `collections.OrderedDict`, `torch._utils._rebuild_tensor_v2` and the
 * storage classes. Tensor bytes are not in the pickle: each tensor names its storage by a persistent id, and the
 * storage's bytes go to the zip entry `data/<key>`.
 */

/** One storage to write as `data/<key>`: its little-endian bytes. */
export interface StorageRecord {
  readonly key: string;
  readonly bytes: Uint8Array;
}

const ORDERED_DICT = pyGlobal('collections', 'OrderedDict');
const REBUILD_TENSOR_V2 = pyGlobal('torch._utils', '_rebuild_tensor_v2');
const STORAGE_CLASS = {
  float32: pyGlobal('torch', 'FloatStorage'),
  float64: pyGlobal('torch', 'DoubleStorage'),
} as const;

/** Gives storages their keys ('0', '1', …, in order of first use, as torch does) and keeps their bytes. */
export class StorageTable {
  readonly records: StorageRecord[] = [];

  /**
   * `torch._utils._rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict())`: a contiguous tensor on
   * its own storage, without gradient, without backward hooks, as a state_dict holds it.
   */
  tensor(dtype: keyof typeof STORAGE_CLASS, shape: readonly number[], bytes: Uint8Array): PyReduce {
    const key = String(this.records.length);
    this.records.push({ key, bytes });
    const numel = shape.reduce((count, size) => count * size, 1);
    // ('storage', storage_type, key, location, numel): what torch.serialization's persistent_id returns.
    const storage = pyPersistent(pyTuple(['storage', STORAGE_CLASS[dtype], key, 'cpu', pyInt(numel)]));
    return pyReduce(REBUILD_TENSOR_V2, [
      storage,
      pyInt(0),
      pyTuple(shape.map((size) => pyInt(size))),
      pyTuple(contiguousStrides(shape).map((stride) => pyInt(stride))),
      false,
      orderedDict([]),
    ]);
  }
}

/** `OrderedDict()` followed by its items, as pickle writes an OrderedDict through its __reduce__. */
export function orderedDict(entries: ReadonlyArray<readonly [PickleValue, PickleValue]>): PyReduce {
  return pyReduce(ORDERED_DICT, [], entries);
}

/** Row-major strides in elements, as `torch.empty(shape).stride()`: a size-0 axis still counts as 1. */
function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = stride;
    stride *= Math.max(shape[axis] ?? 1, 1);
  }
  return strides;
}
