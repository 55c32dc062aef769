import { float32Tensor, ops } from '../../graph/index.js';
import type { GradientRule } from '../autodiff/rule.js';

/**
 * dX = Where(Y > 0, dY, 0), the same mask as X > 0 (Y = max(X, 0)). Zero at X = 0 exactly, as PyTorch's
 * threshold_backward gives; no ReluGrad kernel, which only training builds have. Reading the output rather than
 * the input leaves the Conv before a ReLU with no other reader, so ONNX Runtime can fuse the two in the forward pass.
 */
export const reluGradient: GradientRule = (ctx, dY) => {
  const { g } = ctx;
  const zero = g.constant(float32Tensor([0], []));
  return [ops.where(g, ops.greater(g, ctx.output(0), zero), dY, zero)];
};
