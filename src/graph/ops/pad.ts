import type { GraphBuilder } from '../builder.js';
import { DATA_TYPES } from '../dtypes.js';
import { float32ToFloat16Bits } from '../../numeric/index.js';
import type { InferenceContext, ShapeRule } from '../inference.js';
import { formatType, isStaticDim } from '../shape.js';
import { int64Tensor, tensorData, tensorToNumbers } from '../tensor-data.js';
import type { DataType, Dim, TensorData, Value } from '../types.js';
import { nameOption, type OpOptions } from './common.js';

export interface PadOptions extends OpOptions {
  /** The fill value; 0 when omitted (then no constant_value input is written). */
  readonly value?: number;
}

/**
 * Constant-mode Pad. `pads` is ONNX's layout: the begins of every axis, then
 * the ends ([0,0,1,1, 0,0,1,1] pads H and W of NCHW by one). Negative pads crop.
 */
export function pad(g: GraphBuilder, x: Value, pads: readonly number[], options: PadOptions = {}): Value {
  return g.atomically(() => {
    const inputs: Value[] = [x, g.constant(int64Tensor(pads))];
    if (options.value !== undefined && options.value !== 0) inputs.push(g.constant(scalarOf(x.dtype, options.value)));
    return g.addNode('Pad', inputs, {}, nameOption(options));
  });
}

/** A 0-D tensor of `dtype` holding `value`. */
export function scalarOf(dtype: DataType, value: number): TensorData {
  const data = DATA_TYPES[dtype].allocate(1);
  if (data instanceof BigInt64Array) data[0] = BigInt(value);
  else if (dtype === 'float16') data[0] = float32ToFloat16Bits(value);
  else data[0] = value;
  return tensorData(dtype, [], data);
}

export const inferPad: ShapeRule = (ctx: InferenceContext) => {
  const x = ctx.input(0, 'data');
  const rank = x.shape.length;
  const mode = ctx.string('mode', 'constant');
  if (!['constant', 'reflect', 'edge'].includes(mode)) ctx.fail(`mode ${mode} is not supported`);
  const padsType = ctx.input(1, 'pads');
  if (padsType.dtype !== 'int64' || padsType.shape.length !== 1)
    ctx.fail(`pads must be a 1-D int64 tensor, got ${formatType(padsType)}`);
  const value = ctx.optionalInput(2);
  if (value !== undefined && (value.dtype !== x.dtype || value.shape.length !== 0)) {
    ctx.fail(`constant_value must be a ${x.dtype} scalar, got ${formatType(value)}`);
  }
  if (ctx.optionalInput(3) !== undefined) ctx.fail('the axes input is not supported; give pads for every axis');
  const constant = ctx.constantInput(1);
  if (constant === undefined) return [{ dtype: x.dtype, shape: x.shape.map((_, i) => ctx.freshDim(i)) }];
  const pads = tensorToNumbers(constant);
  if (pads.length !== 2 * rank) ctx.fail(`pads must have ${2 * rank} values for rank ${rank}, got [${pads.join(',')}]`);
  const shape = x.shape.map((d, i): Dim => {
    const begin = pads[i]!;
    const end = pads[i + rank]!;
    if (!isStaticDim(d)) return begin === 0 && end === 0 ? d : ctx.freshDim(i);
    const size = d + begin + end;
    if (size < 0) ctx.fail(`axis ${i} of size ${d} padded by ${begin} and ${end} would be negative`);
    return size;
  });
  return [{ dtype: x.dtype, shape }];
};
