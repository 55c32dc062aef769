import { attr } from '../attributes.js';
import type { GraphBuilder } from '../builder.js';
import type { InferenceContext, ShapeRule } from '../inference.js';
import { formatType, isStaticDim, normalizeAxis } from '../shape.js';
import type { Dim, Value } from '../types.js';
import { nameOption, type OpOptions } from './common.js';

export function concat(g: GraphBuilder, inputs: readonly Value[], axis: number, options?: OpOptions): Value {
  return g.addNode('Concat', inputs, { axis: attr.int(axis) }, nameOption(options));
}

export const inferConcat: ShapeRule = (ctx: InferenceContext) => {
  if (ctx.inputs.length === 0) ctx.fail('needs at least one input');
  const types = ctx.inputs.map((_, i) => ctx.input(i, `input ${i}`));
  const first = types[0]!;
  const rank = first.shape.length;
  if (!ctx.has('axis')) ctx.fail('axis is required');
  const raw = ctx.int('axis', 0);
  const axis = normalizeAxis(raw, rank);
  if (axis === undefined) ctx.fail(`axis ${raw} is out of range for rank ${rank}`);
  types.forEach((t, i) => {
    if (t.dtype !== first.dtype) ctx.fail(`input ${i} is ${formatType(t)} but input 0 is ${formatType(first)}`);
    if (t.shape.length !== rank)
      ctx.fail(`input ${i} is ${formatType(t)} but input 0 is ${formatType(first)}: ranks differ`);
    t.shape.forEach((d, a) => {
      const d0 = first.shape[a]!;
      if (a !== axis && isStaticDim(d) && isStaticDim(d0) && d !== d0) {
        ctx.fail(`input ${i} has ${d} on axis ${a} where input 0 has ${d0}`);
      }
    });
  });
  const along = types.map((t) => t.shape[axis]!);
  const total = along.every(isStaticDim) ? along.reduce((s, d) => s + d, 0) : undefined;
  const shape: Dim[] = first.shape.map((d, a) => {
    if (a === axis) return total ?? (along.length === 1 ? along[0]! : ctx.freshDim(a));
    // Where input 0 is symbolic, a static size from another input is more precise.
    return isStaticDim(d) ? d : (types.map((t) => t.shape[a]!).find(isStaticDim) ?? d);
  });
  return [{ dtype: first.dtype, shape }];
};
