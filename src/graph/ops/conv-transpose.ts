import { attr } from '../attributes.js';
import type { GraphBuilder } from '../builder.js';
import type { InferenceContext, ShapeRule } from '../inference.js';
import { formatType, isStaticDim } from '../shape.js';
import type { Attribute, Dim, Value } from '../types.js';
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
  type OpOptions,
  type PerAxis,
} from './common.js';
import { checkBias, staticKernel } from './conv.js';

export interface ConvTransposeOptions extends OpOptions {
  readonly strides?: PerAxis;
  /** ONNX order, begins then ends. Always written explicitly: WebGPU and auto_pad disagree. */
  readonly pads?: PerAxis;
  /** Extra size added at the end of each spatial axis; must be smaller than the stride or the dilation. */
  readonly outputPadding?: PerAxis;
  readonly dilations?: PerAxis;
  readonly group?: number;
}

/**
 * ConvTranspose: x [N, C, …], w [C, M/group, …kernel]. Only the explicit form
 * (pads + output_padding); `output_shape` and auto_pad are never written.
 */
export function convTranspose(
  g: GraphBuilder,
  x: Value,
  w: Value,
  b?: Value,
  options: ConvTransposeOptions = {},
): Value {
  const n = Math.max(w.shape.length - 2, 0);
  const attributes: Record<string, Attribute> = {
    strides: attr.ints(expandPerAxis(options.strides, n, 1)),
    pads: attr.ints(expandPerAxis(options.pads, 2 * n, 0)),
  };
  if (options.outputPadding !== undefined)
    attributes['output_padding'] = attr.ints(expandPerAxis(options.outputPadding, n, 0));
  if (options.dilations !== undefined) attributes['dilations'] = attr.ints(expandPerAxis(options.dilations, n, 1));
  if (options.group !== undefined && options.group !== 1) attributes['group'] = attr.int(options.group);
  return g.addNode('ConvTranspose', b === undefined ? [x, w] : [x, w, b], attributes, nameOption(options));
}

export const inferConvTranspose: ShapeRule = (ctx: InferenceContext) => {
  const x = ctx.input(0, 'input');
  const w = ctx.input(1, 'weight');
  requireRankAtLeast(ctx, x, 3, 'input', 'N, C, spatial…');
  requireFloat(ctx, x, 'input');
  requireSameDtype(ctx, x, 'input', w, 'weight');
  if (w.shape.length !== x.shape.length)
    ctx.fail(`weight must have rank ${x.shape.length} like the input, got ${formatType(w)}`);
  rejectAutoPad(ctx);
  if (ctx.has('output_shape')) ctx.fail('output_shape is not supported; give explicit pads and outputPadding');
  const n = x.shape.length - 2;
  const kernel = staticKernel(ctx, w);
  const [inChannels, outPerGroup] = w.shape;
  if (!isStaticDim(inChannels!) || !isStaticDim(outPerGroup!))
    ctx.fail(`weight channel dims must be static, got ${formatType(w)}`);
  const group = ctx.int('group', 1);
  if (!positive(group)) ctx.fail(`group must be a positive integer, got ${group}`);
  if (inChannels % group !== 0) ctx.fail(`weight has ${inChannels} input channels, not divisible by group ${group}`);
  const channels = x.shape[1]!;
  if (isStaticDim(channels) && channels !== inChannels)
    ctx.fail(`input has ${channels} channels but weight expects ${inChannels}`);
  const outChannels = outPerGroup * group;
  checkBias(ctx, x, outChannels);
  const strides = ctx.ints('strides', new Array<number>(n).fill(1));
  const pads = ctx.ints('pads', new Array<number>(2 * n).fill(0));
  const dilations = ctx.ints('dilations', new Array<number>(n).fill(1));
  const outputPadding = ctx.ints('output_padding', new Array<number>(n).fill(0));
  checkPerAxis(ctx, 'strides', strides, n, positive, 'positive integers');
  checkPerAxis(ctx, 'pads', pads, 2 * n, nonNegative, 'non-negative integers');
  checkPerAxis(ctx, 'dilations', dilations, n, positive, 'positive integers');
  checkPerAxis(ctx, 'output_padding', outputPadding, n, nonNegative, 'non-negative integers');
  outputPadding.forEach((p, i) => {
    const limit = Math.max(strides[i]!, dilations[i]!);
    if (p >= limit)
      ctx.fail(`output_padding ${p} on spatial axis ${i + 2} must be smaller than the stride or dilation (${limit})`);
  });
  const spatial = x.shape.slice(2).map((size, i): Dim => {
    if (!isStaticDim(size)) return ctx.freshDim(i + 2);
    const out =
      strides[i]! * (size - 1) + outputPadding[i]! + (kernel[i]! - 1) * dilations[i]! + 1 - pads[i]! - pads[i + n]!;
    if (out < 1) ctx.fail(`spatial axis ${i + 2} would have size ${out}`);
    return out;
  });
  return [{ dtype: x.dtype, shape: [x.shape[0]!, outChannels, ...spatial] }];
};
