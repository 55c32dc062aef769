import { ops } from '../../graph/index.js';
import { GradientError, intsAttribute, type GradientRule } from '../autodiff/rule.js';

/**
 * y = a · b for matrices (what an nn.Linear head becomes): da = dY · bᵀ, db = aᵀ · dY. Batched or broadcast
 * MatMul would need its leading axes summed back; no architecture uses one, so it is refused by name.
 */
export const matMulGradient: GradientRule = (ctx, dY) => {
  const { g, node } = ctx;
  const a = ctx.input(0);
  const b = ctx.input(1);
  if (a.shape.length !== 2 || b.shape.length !== 2) {
    throw new GradientError(
      `MatMul node ${node.name}: only 2-D operands have a gradient rule, got [${a.shape.join(',')}] · [${b.shape.join(',')}]`,
    );
  }
  return [
    ctx.needsGradient(0) ? ops.matMul(g, dY, ops.transpose(g, b, [1, 0])) : undefined,
    ctx.needsGradient(1) ? ops.matMul(g, ops.transpose(g, a, [1, 0]), dY) : undefined,
  ];
};

/** Transpose moves elements: dX is dY moved back by the inverse permutation. */
export const transposeGradient: GradientRule = (ctx, dY) => {
  const rank = ctx.input(0).shape.length;
  const perm = intsAttribute(
    ctx.node,
    'perm',
    Array.from({ length: rank }, (_, i) => rank - 1 - i),
  );
  const inverse = new Array<number>(rank);
  perm.forEach((p, i) => (inverse[p] = i));
  return [ops.transpose(ctx.g, dY, inverse)];
};
