import type { InferenceContext, ShapeRule } from '../inference.js';
import { float32Tensor, int64Tensor } from '../tensor-data.js';
import type { Attributes, TensorData } from '../types.js';

/**
 * The tensor a Constant node holds. The builder writes only `value`; the
 * scalar and list forms are read too, so models from other tools load.
 */
export function constantNodeValue(attributes: Attributes): TensorData | undefined {
  const entries = Object.entries(attributes);
  if (entries.length !== 1) return undefined;
  const [name, a] = entries[0]!;
  if (name === 'value' && a.type === 'tensor') return a.value;
  if (name === 'value_float' && a.type === 'float') return float32Tensor([a.value], []);
  if (name === 'value_floats' && a.type === 'floats') return float32Tensor(a.value);
  if (name === 'value_int' && a.type === 'int') return int64Tensor([a.value], []);
  if (name === 'value_ints' && a.type === 'ints') return int64Tensor(a.value);
  return undefined;
}

export const inferConstant: ShapeRule = (ctx: InferenceContext) => {
  const value = constantNodeValue(ctx.attributes);
  if (value === undefined)
    ctx.fail(
      `needs exactly one of value, value_float(s), value_int(s); got {${Object.keys(ctx.attributes).join(', ')}}`,
    );
  return [{ dtype: value.dtype, shape: [...value.dims] }];
};
