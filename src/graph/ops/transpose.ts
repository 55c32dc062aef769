import { attr } from '../attributes.js';
import type { GraphBuilder } from '../builder.js';
import type { InferenceContext, ShapeRule } from '../inference.js';
import type { Value } from '../types.js';
import { nameOption, type OpOptions } from './common.js';

/** Permutes axes; without `perm`, reverses them (ONNX's default). */
export function transpose(g: GraphBuilder, x: Value, perm?: readonly number[], options?: OpOptions): Value {
  return g.addNode('Transpose', [x], perm === undefined ? {} : { perm: attr.ints(perm) }, nameOption(options));
}

export const inferTranspose: ShapeRule = (ctx: InferenceContext) => {
  const x = ctx.input(0, 'input');
  const rank = x.shape.length;
  const perm = ctx.ints(
    'perm',
    x.shape.map((_, i) => rank - 1 - i),
  );
  const sorted = [...perm].sort((a, b) => a - b);
  if (perm.length !== rank || sorted.some((p, i) => p !== i)) {
    ctx.fail(`perm [${perm.join(',')}] is not a permutation of the ${rank} axes of the input`);
  }
  return [{ dtype: x.dtype, shape: perm.map((p) => x.shape[p]!) }];
};
