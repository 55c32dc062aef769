import type { ModelProto } from 'onnx-buf';

/** ONNX TensorProto.DataType codes, named as nin-sdk names dtypes. */
const DATA_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  16: 'bfloat16',
};

export interface WeightDtype {
  readonly dtype: string;
  /** Values stored in initializers of this dtype. */
  readonly values: number;
}

/**
 * How a model stores its weights: values per dtype over all initializers, most first. `nin-convert --float16`
 * halves a file without changing its inputs or outputs, so only the initializers tell.
 */
export function summarizeWeights(model: ModelProto): WeightDtype[] {
  const counts = new Map<string, number>();
  for (const tensor of model.graph?.initializer ?? []) {
    const dtype = DATA_TYPE_NAMES[tensor.dataType] ?? `ONNX type ${tensor.dataType}`;
    const values = tensor.dims.reduce((product, dim) => product * Number(dim), 1);
    counts.set(dtype, (counts.get(dtype) ?? 0) + values);
  }
  return [...counts].map(([dtype, values]) => ({ dtype, values })).sort((a, b) => b.values - a.values);
}
