import { ops, type Value } from '../../graph/index.js';
import { GradientError, type GradientContext, type GradientRule } from '../autodiff/rule.js';

/** Flatten and Reshape only move elements: the gradient is dY reshaped back to the input's shape. */
export const reshapeGradient: GradientRule = (ctx, dY) => [
  ops.reshape(ctx.g, dY, reshapeTarget(ctx, ctx.input(0), dY)),
];

/**
 * The input's shape as a Reshape target. A symbolic dim (the batch) becomes 0,
 * "copy dY's dim", where dY has the same symbol at the same axis; one other
 * symbolic dim may be left to −1.
 */
function reshapeTarget(ctx: GradientContext, x: Value, dY: Value): number[] {
  let inferred = false;
  return x.shape.map((d, i) => {
    if (typeof d === 'number') return d;
    if (dY.shape[i] === d) return 0;
    if (inferred) {
      throw new GradientError(
        `${ctx.node.opType} node ${ctx.node.name}: cannot restore shape [${x.shape.join(',')}] from dY`,
      );
    }
    inferred = true;
    return -1;
  });
}
