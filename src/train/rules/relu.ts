import { float32Tensor, ops } from '../../graph/index.js';
import type { GradientRule } from '../autodiff/rule.js';

/**
 * dX = Where(X > 0, dY, 0). Zero at X = 0 exactly, as PyTorch's
 * threshold_backward gives; no ReluGrad kernel, which only training builds have.
 */
export const reluGradient: GradientRule = (ctx, dY) => {
  const { g } = ctx;
  const zero = g.constant(float32Tensor([0], []));
  return [ops.where(g, ops.greater(g, ctx.input(0), zero), dY, zero)];
};
