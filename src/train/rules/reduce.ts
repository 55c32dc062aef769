import { float32Tensor, ops } from '../../graph/index.js';
import { intAttribute, GradientError, type GradientContext, type GradientRule } from '../autodiff/rule.js';

/**
 * y = ReduceSum(x) with keepdims: every summed element gets dY, i.e. dY broadcast back over the reduced axes.
 * The rule hands dY on at the reduced shape; broadcasting it is left to where contributions meet (an Add with a
 * full-size one broadcasts for free, as in a BatchNorm's statistics) or, failing that, to the final Expand of
 * buildGradientGraph. Without keepdims the reduced axes are gone and dY would broadcast against the wrong ones.
 */
export const reduceSumGradient: GradientRule = (ctx, dY) => {
  requireKeptDims(ctx, dY.shape.length);
  return [dY];
};

/** y = ReduceSumSquare(x) with keepdims: dX = 2·x·dY, full size by the broadcast of the Mul. */
export const reduceSumSquareGradient: GradientRule = (ctx, dY) => {
  requireKeptDims(ctx, dY.shape.length);
  const { g } = ctx;
  return [ops.mul(g, ctx.input(0), ops.mul(g, dY, g.constant(float32Tensor([2], []))))];
};

function requireKeptDims(ctx: GradientContext, rank: number): void {
  if (rank !== 0 && intAttribute(ctx.node, 'keepdims', 1) === 0) {
    throw new GradientError(
      `${ctx.node.opType} node ${ctx.node.name}: a gradient needs keepdims=1 (or every axis reduced)`,
    );
  }
}
