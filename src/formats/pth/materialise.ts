import { bfloat16BitsToFloat32, float16BitsToFloat32 } from '../../numeric/index.js';
import { ITEM_SIZE, isFloatingDtype } from './dtypes.js';
import { CheckpointError, quote } from './errors.js';
import type { TensorRef } from './torch-objects.js';
import type { Dtype, RawArrayOf } from './types.js';

/**
 * Turns a TensorRef (storage key, offset, size, stride) into C-contiguous
 * values. Zero-copy when it can be: a contiguous little-endian tensor whose
 * first byte is aligned for its element type becomes a typed-array view on the
 * storage bytes (for zip files, fflate's one copy of the entry; for legacy
 * files, the caller's own buffer). Otherwise one allocation, filled in one
 * pass that gathers strides, swaps bytes and converts dtype together.
 */

/** The typed array a tensor's values end up in. */
export type TensorArray = RawArrayOf[Dtype];

type OutputKind = Dtype;

export interface MaterialiseContext {
  /** Keep floating dtypes as they are instead of converting to float32. */
  readonly keepDtype: boolean;
  readonly littleEndian: boolean;
  /** Bytes of the owning storages, by key. */
  readonly storageBytes: ReadonlyMap<string, Uint8Array>;
  readonly budget: AllocationBudget;
}

/**
 * A cap on what materialising may allocate, so that a small hostile file
 * cannot ask for gigabytes: strides of 0 let a tensor of a trillion elements
 * stand on a one-element storage, and many tensors may share one storage.
 * Real checkpoints need at most 2 × their size (float16 → float32).
 */
export class AllocationBudget {
  private remaining: number;

  constructor(private readonly limit: number) {
    this.remaining = limit;
  }

  take(bytes: number, tensorName: string): void {
    if (bytes > this.remaining) {
      throw new CheckpointError(
        'too-large',
        `tensor ${quote(tensorName)} would take ${bytes} bytes to materialise, past the limit of ${this.limit} bytes (${ALLOCATION_FACTOR} × the file size) for all tensors`,
      );
    }
    this.remaining -= bytes;
  }
}

export const ALLOCATION_FACTOR = 4;

export interface MaterialisedTensor {
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  readonly data: TensorArray;
}

export function materialiseTensor(name: string, tensor: TensorRef, context: MaterialiseContext): MaterialisedTensor {
  const { storage, shape, stride, offset } = tensor;
  const { dtype } = storage;
  const numel = elementCount(shape);
  // The elements the tensor reaches, from its first one to its last.
  const span = numel === 0 ? 0 : shape.reduce((sum, size, axis) => sum + (size - 1) * (stride[axis] ?? 0), 1);
  if (offset + span > storage.numel) {
    throw new CheckpointError(
      'storage-too-small',
      `tensor ${quote(name)} needs ${span} elements from offset ${offset} but storage ${quote(storage.key)} holds ${storage.numel}`,
    );
  }
  const output: OutputKind = !context.keepDtype && isFloatingDtype(dtype) ? 'float32' : dtype;
  if (numel === 0) return { dtype, shape, data: allocate(output, 0) };
  if (!Number.isSafeInteger(numel)) {
    // Past 2^53 elements the product is no longer exact; no budget could hold it anyway.
    throw new CheckpointError(
      'too-large',
      `tensor ${quote(name)} has ${shape.join(' × ')} elements, more than any file could justify`,
    );
  }

  const bytes = context.storageBytes.get(storage.key);
  if (bytes === undefined) throw new Error(`internal: storage '${storage.key}' was not loaded`);
  const itemSize = ITEM_SIZE[dtype];
  const firstByte = (storage.elementOffset + offset) * itemSize;
  // The last check between the file and memory: every byte read lies inside the
  // storage's own view, never elsewhere in the ArrayBuffer behind it (the
  // caller's buffer may hold other data around the checkpoint).
  const endByte = firstByte + span * itemSize;
  if (firstByte < 0 || !Number.isSafeInteger(endByte) || endByte > bytes.byteLength) {
    throw new CheckpointError(
      'storage-too-small',
      `tensor ${quote(name)} needs bytes ${firstByte} to ${endByte} of storage ${quote(storage.key)}, which has ${bytes.byteLength}`,
    );
  }
  const reached = bytes.subarray(firstByte, endByte);

  if (output === dtype && (context.littleEndian || itemSize === 1) && span === numel && isRowMajor(shape, stride)) {
    if (reached.byteOffset % itemSize === 0)
      return { dtype, shape, data: view(output, reached.buffer, reached.byteOffset, numel) };
    // Misaligned (legacy streams put storages wherever the pickles end): one copy.
    context.budget.take(reached.byteLength, name);
    return { dtype, shape, data: view(output, reached.slice().buffer, 0, numel) };
  }

  context.budget.take(numel * ITEM_SIZE[output], name);
  const data = allocate(output, numel);
  const source = new DataView(reached.buffer, reached.byteOffset, reached.byteLength);
  const little = context.littleEndian;
  if (data instanceof BigInt64Array) {
    forEachRow(shape, stride, (rowStart, outStart, rowLength, rowStride) => {
      let at = rowStart * itemSize;
      for (let index = 0; index < rowLength; index++, at += rowStride * itemSize) {
        data[outStart + index] = source.getBigInt64(at, little);
      }
    });
  } else {
    const read = output === 'float32' ? FLOAT32_READERS[dtype] : RAW_READERS[dtype];
    if (read === undefined) throw new Error(`internal: no reader for ${dtype} into ${output}`);
    forEachRow(shape, stride, (rowStart, outStart, rowLength, rowStride) => {
      let at = rowStart * itemSize;
      for (let index = 0; index < rowLength; index++, at += rowStride * itemSize) {
        data[outStart + index] = read(source, at, little);
      }
    });
  }
  return { dtype, shape, data };
}

/**
 * The single value of a one-element tensor (best_acc saved as a tensor …), in
 * its own precision.
 */
export function scalarValue(name: string, tensor: TensorRef, context: MaterialiseContext): number | boolean {
  const { data, dtype } = materialiseTensor(name, tensor, { ...context, keepDtype: true });
  const [value] = data;
  if (value === undefined) return NaN;
  if (typeof value === 'bigint') return Number(value);
  if (dtype === 'bool') return value !== 0;
  if (dtype === 'float16') return float16BitsToFloat32(value);
  if (dtype === 'bfloat16') return bfloat16BitsToFloat32(value);
  return value;
}

/** Product of the sizes; Infinity when it leaves the safe-integer range. */
export function elementCount(shape: readonly number[]): number {
  let count = 1;
  for (const size of shape) {
    count *= size;
    if (count > Number.MAX_SAFE_INTEGER) return Infinity;
  }
  return count;
}

/** Whether the strides are the C-contiguous ones (axes of size 1 may have any stride). */
function isRowMajor(shape: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    const size = shape[axis] ?? 0;
    if (size !== 1 && stride[axis] !== expected) return false;
    expected *= size;
  }
  return true;
}

/**
 * Calls `visit` once per innermost row, with the row's first storage element
 * (relative to the tensor's offset), where it goes in the output, its length
 * and its stride: an odometer over the outer axes.
 */
function forEachRow(
  shape: readonly number[],
  stride: readonly number[],
  visit: (rowStart: number, outStart: number, rowLength: number, rowStride: number) => void,
): void {
  const rank = shape.length;
  const rowLength = rank === 0 ? 1 : (shape[rank - 1] ?? 0);
  const rowStride = rank === 0 ? 0 : (stride[rank - 1] ?? 0);
  const rows = rowLength === 0 ? 0 : elementCount(shape) / rowLength;
  const position = new Array<number>(Math.max(0, rank - 1)).fill(0);
  let rowStart = 0;
  for (let row = 0; row < rows; row++) {
    visit(rowStart, row * rowLength, rowLength, rowStride);
    for (let axis = rank - 2; axis >= 0; axis--) {
      const size = shape[axis] ?? 0;
      const step = stride[axis] ?? 0;
      const next = (position[axis] ?? 0) + 1;
      if (next < size) {
        position[axis] = next;
        rowStart += step;
        break;
      }
      position[axis] = 0;
      rowStart -= step * (size - 1);
    }
  }
}

type ElementReader = (source: DataView, byteOffset: number, littleEndian: boolean) => number;

/** Reads one element as it is stored (float16/bfloat16 as their bit patterns). */
const RAW_READERS: Readonly<Partial<Record<Dtype, ElementReader>>> = {
  float32: (source, at, little) => source.getFloat32(at, little),
  float64: (source, at, little) => source.getFloat64(at, little),
  float16: (source, at, little) => source.getUint16(at, little),
  bfloat16: (source, at, little) => source.getUint16(at, little),
  int32: (source, at, little) => source.getInt32(at, little),
  int16: (source, at, little) => source.getInt16(at, little),
  int8: (source, at) => source.getInt8(at),
  uint8: (source, at) => source.getUint8(at),
  bool: (source, at) => (source.getUint8(at) === 0 ? 0 : 1),
};

/** Reads one floating element converted to a float32-representable number. */
const FLOAT32_READERS: Readonly<Partial<Record<Dtype, ElementReader>>> = {
  float32: (source, at, little) => source.getFloat32(at, little),
  float64: (source, at, little) => source.getFloat64(at, little),
  float16: (source, at, little) => float16BitsToFloat32(source.getUint16(at, little)),
  bfloat16: (source, at, little) => bfloat16BitsToFloat32(source.getUint16(at, little)),
};

function allocate(kind: OutputKind, length: number): TensorArray {
  return view(kind, new ArrayBuffer(length * ITEM_SIZE[kind]), 0, length);
}

function view(kind: OutputKind, buffer: ArrayBufferLike, byteOffset: number, length: number): TensorArray {
  switch (kind) {
    case 'float32':
      return new Float32Array(buffer, byteOffset, length);
    case 'float64':
      return new Float64Array(buffer, byteOffset, length);
    case 'float16':
    case 'bfloat16':
      return new Uint16Array(buffer, byteOffset, length);
    case 'int64':
      return new BigInt64Array(buffer, byteOffset, length);
    case 'int32':
      return new Int32Array(buffer, byteOffset, length);
    case 'int16':
      return new Int16Array(buffer, byteOffset, length);
    case 'int8':
      return new Int8Array(buffer, byteOffset, length);
    case 'uint8':
    case 'bool':
      return new Uint8Array(buffer, byteOffset, length);
  }
}
