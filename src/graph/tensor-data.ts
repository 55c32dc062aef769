import { DATA_TYPES } from './dtypes.js';
import type { DataType, TensorData, TensorDataMap } from './types.js';

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((product, d) => product * d, 1);
}

/**
 * Wraps existing data as a tensor (no copy) after checking that its length
 * matches the dims, so that a bad tensor is caught where it is made rather
 * than by ONNX Runtime at load time.
 */
export function tensorData<K extends DataType>(
  dtype: K,
  dims: readonly number[],
  data: TensorDataMap[K],
): TensorData<K> {
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new Error(`tensorData: dims must be non-negative integers, got [${dims.join(',')}]`);
    }
  }
  const expected = elementCount(dims);
  if (data.length !== expected) {
    throw new Error(`tensorData: ${dtype}[${dims.join(',')}] needs ${expected} elements, got ${data.length}`);
  }
  const allocated = DATA_TYPES[dtype].allocate(0);
  if (Object.getPrototypeOf(data) !== Object.getPrototypeOf(allocated)) {
    throw new Error(`tensorData: ${dtype} data must be a ${allocated.constructor.name}, got ${data.constructor.name}`);
  }
  return { dtype, dims: [...dims], data } as unknown as TensorData<K>;
}

/** float32 tensor from plain numbers; `dims` defaults to a 1-D tensor. */
export function float32Tensor(
  values: ArrayLike<number>,
  dims: readonly number[] = [values.length],
): TensorData<'float32'> {
  return tensorData('float32', dims, Float32Array.from(values));
}

/** int64 tensor from plain numbers (shapes, axes, pads); `dims` defaults to 1-D. */
export function int64Tensor(values: readonly number[], dims: readonly number[] = [values.length]): TensorData<'int64'> {
  return tensorData(
    'int64',
    dims,
    BigInt64Array.from(values, (v) => BigInt(v)),
  );
}

export function int32Tensor(values: readonly number[], dims: readonly number[] = [values.length]): TensorData<'int32'> {
  return tensorData('int32', dims, Int32Array.from(values));
}

export function int8Tensor(values: readonly number[], dims: readonly number[] = [values.length]): TensorData<'int8'> {
  return tensorData('int8', dims, Int8Array.from(values));
}

export function uint8Tensor(values: readonly number[], dims: readonly number[] = [values.length]): TensorData<'uint8'> {
  return tensorData('uint8', dims, Uint8Array.from(values));
}

export function boolTensor(values: readonly boolean[], dims: readonly number[] = [values.length]): TensorData<'bool'> {
  return tensorData(
    'bool',
    dims,
    Uint8Array.from(values, (v) => (v ? 1 : 0)),
  );
}

/** Reads an integer tensor's elements as numbers (for shape arithmetic on constants). */
export function tensorToNumbers(tensor: TensorData): number[] {
  const out: number[] = [];
  for (const v of tensor.data) out.push(Number(v));
  return out;
}
