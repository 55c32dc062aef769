import type { GraphBuilder } from '../builder.js';
import type { InferenceContext, ShapeRule } from '../inference.js';
import { formatType, isStaticDim } from '../shape.js';
import { int64Tensor, tensorToNumbers } from '../tensor-data.js';
import type { Value } from '../types.js';
import { broadcastInputs } from './binary.js';
import { nameOption, type OpOptions } from './common.js';
import { isValue } from './reshape.js';

/** Broadcasts x to `shape` (both ways, as numpy does: 1s in `shape` keep x's dim). */
export function expand(g: GraphBuilder, x: Value, shape: readonly number[] | Value, options?: OpOptions): Value {
  return g.atomically(() => {
    const shapeValue = isValue(shape) ? shape : g.constant(int64Tensor(shape));
    return g.addNode('Expand', [x, shapeValue], {}, nameOption(options));
  });
}

export const inferExpand: ShapeRule = (ctx: InferenceContext) => {
  const x = ctx.input(0, 'input');
  const shapeType = ctx.input(1, 'shape');
  if (shapeType.dtype !== 'int64' || shapeType.shape.length !== 1)
    ctx.fail(`shape must be a 1-D int64 tensor, got ${formatType(shapeType)}`);
  const constant = ctx.constantInput(1);
  if (constant === undefined) {
    const rank = shapeType.shape[0]!;
    if (!isStaticDim(rank)) ctx.fail('shape must have a static length when its values are not known at build time');
    const length = Math.max(rank, x.shape.length);
    return [{ dtype: x.dtype, shape: Array.from({ length }, (_, i) => ctx.freshDim(i)) }];
  }
  const target = { dtype: x.dtype, shape: tensorToNumbers(constant) };
  return [{ dtype: x.dtype, shape: broadcastInputs(ctx, [x, target]) }];
};
