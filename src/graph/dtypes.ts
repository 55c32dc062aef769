import type { DataType, TensorDataMap } from './types.js';

interface DataTypeInfo<K extends DataType> {
  /** TensorProto.DataType code; the same numbers are Cast's `to` attribute. */
  readonly onnxCode: number;
  readonly bytesPerElement: number;
  readonly isFloat: boolean;
  readonly allocate: (length: number) => TensorDataMap[K];
  /** Views little-endian bytes without copying; `bytes.byteOffset` must be aligned. */
  readonly view: (buffer: ArrayBuffer, byteOffset: number, length: number) => TensorDataMap[K];
}

/** Everything the IR needs to know per element type, in one table so a new dtype is one entry. */
export const DATA_TYPES: { readonly [K in DataType]: DataTypeInfo<K> } = {
  float32: {
    onnxCode: 1,
    bytesPerElement: 4,
    isFloat: true,
    allocate: (n) => new Float32Array(n),
    view: (b, o, n) => new Float32Array(b, o, n),
  },
  float16: {
    onnxCode: 10,
    bytesPerElement: 2,
    isFloat: true,
    allocate: (n) => new Uint16Array(n),
    view: (b, o, n) => new Uint16Array(b, o, n),
  },
  // Only where float32 would round once more than PyTorch does (a BatchNorm ahead of XNOR-Net's Sign).
  float64: {
    onnxCode: 11,
    bytesPerElement: 8,
    isFloat: true,
    allocate: (n) => new Float64Array(n),
    view: (b, o, n) => new Float64Array(b, o, n),
  },
  int64: {
    onnxCode: 7,
    bytesPerElement: 8,
    isFloat: false,
    allocate: (n) => new BigInt64Array(n),
    view: (b, o, n) => new BigInt64Array(b, o, n),
  },
  int32: {
    onnxCode: 6,
    bytesPerElement: 4,
    isFloat: false,
    allocate: (n) => new Int32Array(n),
    view: (b, o, n) => new Int32Array(b, o, n),
  },
  int8: {
    onnxCode: 3,
    bytesPerElement: 1,
    isFloat: false,
    allocate: (n) => new Int8Array(n),
    view: (b, o, n) => new Int8Array(b, o, n),
  },
  // Also image pixels, for graphs that take them raw (the Triton export's preprocessing-in-graph variant).
  uint8: {
    onnxCode: 2,
    bytesPerElement: 1,
    isFloat: false,
    allocate: (n) => new Uint8Array(n),
    view: (b, o, n) => new Uint8Array(b, o, n),
  },
  bool: {
    onnxCode: 9,
    bytesPerElement: 1,
    isFloat: false,
    allocate: (n) => new Uint8Array(n),
    view: (b, o, n) => new Uint8Array(b, o, n),
  },
};

export const ALL_DATA_TYPES = Object.keys(DATA_TYPES) as readonly DataType[];

export function isDataType(name: string): name is DataType {
  return Object.prototype.hasOwnProperty.call(DATA_TYPES, name);
}

export function dataTypeFromOnnxCode(code: number): DataType | undefined {
  return ALL_DATA_TYPES.find((dtype) => DATA_TYPES[dtype].onnxCode === code);
}

export function isFloatType(dtype: DataType): boolean {
  return DATA_TYPES[dtype].isFloat;
}
