import { DATA_TYPES } from '../dtypes.js';
import { elementCount, tensorData } from '../tensor-data.js';
import type { DataType, TensorData } from '../types.js';

/** ONNX raw_data is little-endian; typed arrays use the host's order, which is little-endian almost everywhere. */
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The tensor's bytes as ONNX raw_data. On little-endian hosts this is a view
 * of the tensor's own memory, not a copy: the writer copies each weight
 * exactly once, into the output file.
 */
export function tensorToRawBytes(tensor: TensorData): Uint8Array {
  const { data } = tensor;
  const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return HOST_IS_LITTLE_ENDIAN ? view : swapBytes(view, DATA_TYPES[tensor.dtype].bytesPerElement);
}

/**
 * A tensor from raw_data bytes. The bytes are copied into a fresh, aligned
 * buffer: a protobuf field can start at any offset, and the result should not
 * keep the whole model file alive.
 */
export function tensorFromRawBytes(
  dtype: DataType,
  dims: readonly number[],
  bytes: Uint8Array,
  what: string,
): TensorData {
  const info = DATA_TYPES[dtype];
  const count = elementCount(dims);
  if (bytes.byteLength !== count * info.bytesPerElement) {
    throw new Error(
      `${what}: ${dtype}[${dims.join(',')}] needs ${count * info.bytesPerElement} bytes of raw_data, got ${bytes.byteLength}`,
    );
  }
  const copy = HOST_IS_LITTLE_ENDIAN ? copyBytes(bytes) : swapBytes(bytes, info.bytesPerElement);
  return tensorData(dtype, dims, info.view(copy.buffer, 0, count));
}

function copyBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes.byteLength);
  out.set(bytes);
  return out;
}

function swapBytes(bytes: Uint8Array, width: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes.byteLength);
  for (let i = 0; i < bytes.byteLength; i += width) {
    for (let j = 0; j < width; j++) out[i + j] = bytes[i + width - 1 - j]!;
  }
  return out;
}
