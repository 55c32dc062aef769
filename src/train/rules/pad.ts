import { ops, tensorToNumbers } from '../../graph/index.js';
import { GradientError, type GradientRule } from '../autodiff/rule.js';

/**
 * Constant-mode Pad (pytorchAvgPool2d uses it for ceil_mode with
 * count_include_pad): the gradient is dY with the padding sliced off.
 */
export const padGradient: GradientRule = (ctx, dY) => {
  const { node } = ctx;
  const mode = node.attributes['mode'];
  if (mode !== undefined && !(mode.type === 'string' && mode.value === 'constant')) {
    throw new GradientError(`Pad node ${node.name}: only constant mode has a gradient rule`);
  }
  const constant = ctx.constantInput(1);
  if (constant === undefined) throw new GradientError(`Pad node ${node.name}: pads must be known at build time`);
  const pads = tensorToNumbers(constant);
  const rank = dY.shape.length;
  if (pads.some((p) => p < 0))
    throw new GradientError(`Pad node ${node.name}: negative pads (cropping) have no gradient rule`);
  const axes: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  for (let axis = 0; axis < rank; axis++) {
    const begin = pads[axis]!;
    const end = pads[axis + rank]!;
    if (begin === 0 && end === 0) continue;
    axes.push(axis);
    starts.push(begin);
    ends.push(end === 0 ? Number.MAX_SAFE_INTEGER : -end);
  }
  return [axes.length === 0 ? dY : ops.slice(ctx.g, dY, { starts, ends, axes })];
};
