import { attr } from '../attributes.js';
import type { GraphBuilder } from '../builder.js';
import type { InferenceContext, ShapeRule } from '../inference.js';
import { formatType, isStaticDim } from '../shape.js';
import type { Attributes, TensorType, Value } from '../types.js';
import { nameOption, type OpOptions } from './common.js';

/** The integer types QuantizeLinear may produce and DequantizeLinear may read (ONNX opset 13–18). */
const QUANTIZED_TYPES = new Set(['uint8', 'int8', 'int32']);

export interface QuantizeOptions extends OpOptions {
  /** The axis a 1-D scale runs along (per-channel quantization); ONNX's default is 1. */
  readonly axis?: number;
}

/**
 * Checks scale and zero point against x: scalars for per-tensor quantization, or 1-D tensors as long as x's
 * `axis` for per-channel quantization, the zero point of the same shape as the scale.
 */
function checkQuantizationParameters(
  ctx: InferenceContext,
  x: TensorType,
  scale: TensorType,
  zeroPoint: TensorType | undefined,
): void {
  if (scale.dtype !== 'float32') ctx.fail(`scale must be float32, got ${formatType(scale)}`);
  if (scale.shape.length > 1) ctx.fail(`scale must be a scalar or 1-D, got ${formatType(scale)}`);
  if (scale.shape.length === 1) {
    const rank = x.shape.length;
    const axis = ctx.int('axis', 1);
    if (axis < -rank || axis >= rank) ctx.fail(`axis ${axis} is out of range for ${formatType(x)}`);
    const channels = x.shape[axis < 0 ? axis + rank : axis]!;
    const length = scale.shape[0]!;
    if (isStaticDim(channels) && isStaticDim(length) && channels !== length) {
      ctx.fail(`scale has ${length} values but axis ${axis} of ${formatType(x)} has ${channels}`);
    }
  }
  if (zeroPoint !== undefined) {
    if (!QUANTIZED_TYPES.has(zeroPoint.dtype))
      ctx.fail(`zero point must be uint8, int8 or int32, got ${formatType(zeroPoint)}`);
    if (zeroPoint.shape.length !== scale.shape.length || zeroPoint.shape.some((d, i) => d !== scale.shape[i])) {
      ctx.fail(`zero point ${formatType(zeroPoint)} must have the shape of scale ${formatType(scale)}`);
    }
  }
}

/** QuantizeLinear: y = saturate(round(x / scale) + zero_point), of the zero point's type (uint8 when absent). */
export const inferQuantizeLinear: ShapeRule = (ctx: InferenceContext) => {
  const x = ctx.input(0, 'input');
  const scale = ctx.input(1, 'scale');
  const zeroPoint = ctx.optionalInput(2);
  if (x.dtype !== 'float32') ctx.fail(`input must be float32, got ${formatType(x)}`);
  checkQuantizationParameters(ctx, x, scale, zeroPoint);
  if (zeroPoint?.dtype === 'int32')
    ctx.fail(`QuantizeLinear cannot produce int32 (opset < 21), got zero point ${formatType(zeroPoint)}`);
  return [{ dtype: zeroPoint?.dtype ?? 'uint8', shape: x.shape }];
};

/** DequantizeLinear: y = (x − zero_point) · scale, float32. */
export const inferDequantizeLinear: ShapeRule = (ctx: InferenceContext) => {
  const x = ctx.input(0, 'input');
  const scale = ctx.input(1, 'scale');
  const zeroPoint = ctx.optionalInput(2);
  if (!QUANTIZED_TYPES.has(x.dtype)) ctx.fail(`input must be uint8, int8 or int32, got ${formatType(x)}`);
  checkQuantizationParameters(ctx, x, scale, zeroPoint);
  if (zeroPoint !== undefined && zeroPoint.dtype !== x.dtype)
    ctx.fail(`zero point is ${zeroPoint.dtype} but input is ${x.dtype}`);
  return [{ dtype: 'float32', shape: x.shape }];
};

export function quantizeLinear(
  g: GraphBuilder,
  x: Value,
  scale: Value,
  zeroPoint: Value,
  options?: QuantizeOptions,
): Value {
  return g.addNode('QuantizeLinear', [x, scale, zeroPoint], axisAttribute(options), nameOption(options));
}

export function dequantizeLinear(
  g: GraphBuilder,
  x: Value,
  scale: Value,
  zeroPoint?: Value,
  options?: QuantizeOptions,
): Value {
  return g.addNode('DequantizeLinear', [x, scale, zeroPoint], axisAttribute(options), nameOption(options));
}

function axisAttribute(options: QuantizeOptions | undefined): Attributes {
  return options?.axis === undefined ? {} : { axis: attr.int(options.axis) };
}
