import { attr } from '../attributes.js';
import type { GraphBuilder } from '../builder.js';
import type { InferenceContext, ShapeRule } from '../inference.js';
import { dimProduct } from '../shape.js';
import type { Value } from '../types.js';
import { nameOption, type OpOptions } from './common.js';

/** Flatten to 2-D: dims before `axis` become the first, the rest the second. */
export function flatten(g: GraphBuilder, x: Value, axis = 1, options?: OpOptions): Value {
  return g.addNode('Flatten', [x], { axis: attr.int(axis) }, nameOption(options));
}

export const inferFlatten: ShapeRule = (ctx: InferenceContext) => {
  const x = ctx.input(0, 'input');
  const rank = x.shape.length;
  const raw = ctx.int('axis', 1);
  const axis = raw < 0 ? raw + rank : raw;
  if (axis < 0 || axis > rank) ctx.fail(`axis ${raw} is out of range for rank ${rank}`);
  const outer = dimProduct(x.shape.slice(0, axis)) ?? ctx.freshDim(0);
  const inner = dimProduct(x.shape.slice(axis)) ?? ctx.freshDim(1);
  return [{ dtype: x.dtype, shape: [outer, inner] }];
};
