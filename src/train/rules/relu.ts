import { float32Tensor, ops } from '../../graph/index.js';
import type { GradientRule } from '../autodiff/rule.js';

/**
 * dX = dY · float(Y > 0), the same mask as X > 0 (Y = max(X, 0)). Zero at X = 0 exactly, as PyTorch's
 * threshold_backward gives; no ReluGrad kernel, which only training builds have. Reading the output rather than
 * the input leaves the Conv before a ReLU with no other reader, so ONNX Runtime can fuse the two in the forward pass.
 * A Mul by the mask rather than Where(Y > 0, dY, 0): ONNX Runtime's CPU Where, with its scalar broadcast, took
 * as long as Cast and Mul together twice over (these are the largest tensors of the backward pass). The two
 * differ only where dY is infinite or NaN under a zero mask, where a step is lost anyway.
 */
export const reluGradient: GradientRule = (ctx, dY) => {
  const { g } = ctx;
  const zero = g.constant(float32Tensor([0], []));
  return [ops.mul(g, dY, ops.cast(g, ops.greater(g, ctx.output(0), zero), 'float32'))];
};
