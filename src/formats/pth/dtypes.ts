import type { Dtype, FloatingDtype } from './types.js';

/** Bytes per element, as PyTorch stores them. */
export const ITEM_SIZE: Readonly<Record<Dtype, number>> = {
  float32: 4,
  float64: 8,
  float16: 2,
  bfloat16: 2,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

const FLOATING: ReadonlySet<Dtype> = new Set<Dtype>(['float32', 'float64', 'float16', 'bfloat16']);

export function isFloatingDtype(dtype: Dtype): dtype is FloatingDtype {
  return FLOATING.has(dtype);
}

/**
 * The typed storage classes that persistent ids name (`torch.FloatStorage` …).
 * torch <= 0.3 may name the CUDA ones (`torch.cuda.FloatStorage`) for tensors
 * saved from a GPU; their bytes are the same, so both modules map here.
 */
export const STORAGE_CLASS_DTYPES: Readonly<Record<string, Dtype>> = {
  FloatStorage: 'float32',
  DoubleStorage: 'float64',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

/**
 * Storage classes that are torch's own but that nothing downstream could use.
 * Naming them gives a clearer refusal than "unsupported global".
 */
export const UNSUPPORTED_STORAGE_CLASSES: readonly string[] = [
  'ComplexFloatStorage',
  'ComplexDoubleStorage',
  'ComplexHalfStorage',
  'QInt8Storage',
  'QUInt8Storage',
  'QInt32Storage',
  'QUInt4x2Storage',
  'QUInt2x4Storage',
  'UntypedStorage',
];
