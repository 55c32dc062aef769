import { attr } from '../attributes.js';
import type { GraphBuilder } from '../builder.js';
import type { InferenceContext, ShapeRule } from '../inference.js';
import { normalizeAxis } from '../shape.js';
import type { Value } from '../types.js';
import { nameOption, requireFloat, type OpOptions } from './common.js';

/** Softmax along one axis (opset ≥ 13 semantics; older opsets flattened to 2-D first). */
export function softmax(g: GraphBuilder, x: Value, axis = -1, options?: OpOptions): Value {
  return g.addNode('Softmax', [x], { axis: attr.int(axis) }, nameOption(options));
}

export const inferSoftmax: ShapeRule = (ctx: InferenceContext) => {
  const x = ctx.input(0, 'input');
  requireFloat(ctx, x, 'input');
  const axis = ctx.int('axis', -1);
  if (normalizeAxis(axis, x.shape.length) === undefined)
    ctx.fail(`axis ${axis} is out of range for rank ${x.shape.length}`);
  return [x];
};
