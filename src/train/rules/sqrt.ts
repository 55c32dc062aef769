import { float32Tensor, ops } from '../../graph/index.js';
import type { GradientRule } from '../autodiff/rule.js';

/** y = √x: dX = dY / (2y), from the output, as PyTorch's sqrt_backward. */
export const sqrtGradient: GradientRule = (ctx, dY) => {
  const { g } = ctx;
  return [ops.div(g, dY, ops.mul(g, ctx.output(0), g.constant(float32Tensor([2], []))))];
};
