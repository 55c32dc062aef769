import { attr } from '../attributes.js';
import type { GraphBuilder } from '../builder.js';
import type { InferenceContext, ShapeRule } from '../inference.js';
import type { Attribute, TensorType, Value } from '../types.js';
import {
  checkPerAxis,
  expandPerAxis,
  nameOption,
  nonNegative,
  positive,
  rejectAutoPad,
  requireFloat,
  requireRankAtLeast,
  windowOutputDims,
  type OpOptions,
  type PerAxis,
} from './common.js';

interface PoolOptions extends OpOptions {
  readonly kernelShape: PerAxis;
  /**
   * Required, because the defaults differ: ONNX's is 1, PyTorch's is the
   * kernel size. Stating it at the call site removes that trap.
   */
  readonly strides: PerAxis;
  /**
   * Explicit pads, ONNX order (begins then ends), possibly asymmetric: that is
   * how PyTorch's ceil_mode is written (see src/architectures/pytorch-ops/pooling-sizes.ts), since
   * ONNX Runtime's WebGPU pools reject ceil_mode=1.
   */
  readonly pads?: PerAxis;
}

export interface MaxPoolOptions extends PoolOptions {
  readonly dilations?: PerAxis;
}

export interface AveragePoolOptions extends PoolOptions {
  /** Whether padded cells count in the divisor (PyTorch's count_include_pad, default true there). */
  readonly countIncludePad: boolean;
}

function poolAttributes(x: Value, options: PoolOptions): Record<string, Attribute> {
  const n = Math.max(x.shape.length - 2, 0);
  return {
    kernel_shape: attr.ints(expandPerAxis(options.kernelShape, n, 1)),
    strides: attr.ints(expandPerAxis(options.strides, n, 1)),
    pads: attr.ints(expandPerAxis(options.pads, 2 * n, 0)),
  };
}

/** MaxPool with its single output (no Indices, which native WebGPU rejects); never auto_pad, never ceil_mode. */
export function maxPool(g: GraphBuilder, x: Value, options: MaxPoolOptions): Value {
  const attributes = poolAttributes(x, options);
  if (options.dilations !== undefined)
    attributes['dilations'] = attr.ints(expandPerAxis(options.dilations, x.shape.length - 2, 1));
  return g.addNode('MaxPool', [x], attributes, nameOption(options));
}

export function averagePool(g: GraphBuilder, x: Value, options: AveragePoolOptions): Value {
  const attributes = poolAttributes(x, options);
  attributes['count_include_pad'] = attr.int(options.countIncludePad ? 1 : 0);
  return g.addNode('AveragePool', [x], attributes, nameOption(options));
}

export function globalAveragePool(g: GraphBuilder, x: Value, options?: OpOptions): Value {
  return g.addNode('GlobalAveragePool', [x], {}, nameOption(options));
}

function inferPool(ctx: InferenceContext): readonly TensorType[] {
  const x = ctx.input(0, 'input');
  requireRankAtLeast(ctx, x, 3, 'input', 'N, C, spatial…');
  requireFloat(ctx, x, 'input');
  rejectAutoPad(ctx);
  if (ctx.int('ceil_mode', 0) !== 0)
    ctx.fail('ceil_mode=1 is not supported; write it as explicit end pads (pytorchPoolPads)');
  const n = x.shape.length - 2;
  const kernel = ctx.optionalInts('kernel_shape');
  if (kernel === undefined) ctx.fail('kernel_shape is required');
  const strides = ctx.ints('strides', new Array<number>(n).fill(1));
  const pads = ctx.ints('pads', new Array<number>(2 * n).fill(0));
  const dilations = ctx.ints('dilations', new Array<number>(n).fill(1));
  checkPerAxis(ctx, 'kernel_shape', kernel, n, positive, 'positive integers');
  checkPerAxis(ctx, 'strides', strides, n, positive, 'positive integers');
  checkPerAxis(ctx, 'pads', pads, 2 * n, nonNegative, 'non-negative integers');
  checkPerAxis(ctx, 'dilations', dilations, n, positive, 'positive integers');
  pads.forEach((p, i) => {
    // ONNX Runtime refuses such a pool at session creation ("Pad should be smaller than kernel").
    const k = kernel[i % n]!;
    if (p >= k) ctx.fail(`pad ${p} on spatial axis ${(i % n) + 2} must be smaller than the kernel ${k}`);
  });
  const spatial = windowOutputDims(ctx, x.shape.slice(2), { kernel, strides, pads, dilations }, 2);
  return [{ dtype: x.dtype, shape: [x.shape[0]!, x.shape[1]!, ...spatial] }];
}

export const inferMaxPool: ShapeRule = (ctx: InferenceContext) => {
  if (ctx.int('storage_order', 0) !== 0) ctx.fail('storage_order=1 is not supported');
  return inferPool(ctx);
};

export const inferAveragePool: ShapeRule = inferPool;

export const inferGlobalAveragePool: ShapeRule = (ctx: InferenceContext) => {
  const x = ctx.input(0, 'input');
  requireRankAtLeast(ctx, x, 3, 'input', 'N, C, spatial…');
  requireFloat(ctx, x, 'input');
  return [{ dtype: x.dtype, shape: [x.shape[0]!, x.shape[1]!, ...x.shape.slice(2).map(() => 1)] }];
};
