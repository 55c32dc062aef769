import { attr } from '../attributes.js';
import type { GraphBuilder } from '../builder.js';
import type { InferenceContext, ShapeRule } from '../inference.js';
import { formatType, isStaticDim, isStaticShape } from '../shape.js';
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
  requireSameDtype,
  windowOutputDims,
  type OpOptions,
  type PerAxis,
} from './common.js';

export interface ConvOptions extends OpOptions {
  readonly strides?: PerAxis;
  /** ONNX order, begins then ends: [top, left, bottom, right] in 2-D. One number pads every side. */
  readonly pads?: PerAxis;
  readonly dilations?: PerAxis;
  readonly group?: number;
}

/** Conv: x [N, C, …spatial], w [M, C/group, …kernel], optional bias b [M]. */
export function conv(g: GraphBuilder, x: Value, w: Value, b?: Value, options: ConvOptions = {}): Value {
  const spatialRank = Math.max(w.shape.length - 2, 0);
  const attributes: Record<string, Attribute> = {
    strides: attr.ints(expandPerAxis(options.strides, spatialRank, 1)),
    pads: attr.ints(expandPerAxis(options.pads, 2 * spatialRank, 0)),
    // Written even at its default: onnxruntime-web's JSEP WebGPU Conv rejects a Conv without explicit dilations.
    dilations: attr.ints(expandPerAxis(options.dilations, spatialRank, 1)),
  };
  if (options.group !== undefined && options.group !== 1) attributes['group'] = attr.int(options.group);
  return g.addNode('Conv', b === undefined ? [x, w] : [x, w, b], attributes, nameOption(options));
}

/** The kernel sizes from the weight's trailing dims, which must be static. */
export function staticKernel(ctx: InferenceContext, w: TensorType): readonly number[] {
  const kernel = w.shape.slice(2);
  if (!isStaticShape(kernel)) ctx.fail(`weight kernel dims must be static, got ${formatType(w)}`);
  const declared = ctx.optionalInts('kernel_shape');
  if (declared !== undefined && declared.join() !== kernel.join()) {
    ctx.fail(`kernel_shape [${declared.join(',')}] does not match weight ${formatType(w)}`);
  }
  return kernel;
}

export function checkBias(ctx: InferenceContext, x: TensorType, outChannels: number): void {
  const b = ctx.optionalInput(2);
  if (b === undefined) return;
  requireSameDtype(ctx, x, 'input', b, 'bias');
  if (b.shape.length !== 1 || b.shape[0] !== outChannels)
    ctx.fail(`bias must be [${outChannels}], got ${formatType(b)}`);
}

export const inferConv: ShapeRule = (ctx: InferenceContext) => {
  const x = ctx.input(0, 'input');
  const w = ctx.input(1, 'weight');
  requireRankAtLeast(ctx, x, 3, 'input', 'N, C, spatial…');
  requireFloat(ctx, x, 'input');
  requireSameDtype(ctx, x, 'input', w, 'weight');
  if (w.shape.length !== x.shape.length)
    ctx.fail(`weight must have rank ${x.shape.length} like the input, got ${formatType(w)}`);
  rejectAutoPad(ctx);
  const n = x.shape.length - 2;
  const kernel = staticKernel(ctx, w);
  const [outChannels, channelsPerGroup] = w.shape;
  if (!isStaticDim(outChannels!) || !isStaticDim(channelsPerGroup!))
    ctx.fail(`weight channel dims must be static, got ${formatType(w)}`);
  const group = ctx.int('group', 1);
  if (!positive(group)) ctx.fail(`group must be a positive integer, got ${group}`);
  if (outChannels % group !== 0) ctx.fail(`weight has ${outChannels} output channels, not divisible by group ${group}`);
  const expected = channelsPerGroup * group;
  const channels = x.shape[1]!;
  if (isStaticDim(channels) && channels !== expected) {
    const detail = group === 1 ? '' : ` (${channelsPerGroup} per group × group ${group})`;
    ctx.fail(`input has ${channels} channels but weight expects ${expected}${detail}`);
  }
  checkBias(ctx, x, outChannels);
  const strides = ctx.ints('strides', new Array<number>(n).fill(1));
  const pads = ctx.ints('pads', new Array<number>(2 * n).fill(0));
  const dilations = ctx.ints('dilations', new Array<number>(n).fill(1));
  checkPerAxis(ctx, 'strides', strides, n, positive, 'positive integers');
  checkPerAxis(ctx, 'pads', pads, 2 * n, nonNegative, 'non-negative integers');
  checkPerAxis(ctx, 'dilations', dilations, n, positive, 'positive integers');
  const spatial = windowOutputDims(ctx, x.shape.slice(2), { kernel, strides, pads, dilations }, 2);
  return [{ dtype: x.dtype, shape: [x.shape[0]!, outChannels, ...spatial] }];
};
