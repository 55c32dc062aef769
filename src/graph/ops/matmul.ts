import type { GraphBuilder } from '../builder.js';
import type { InferenceContext, ShapeRule } from '../inference.js';
import { broadcastShapes, formatType, isStaticDim } from '../shape.js';
import type { Dim, Value } from '../types.js';
import { nameOption, type OpOptions } from './common.js';

/** Numpy matmul: 1-D operands are promoted and the promoted axis dropped; batch dims broadcast. */
export function matMul(g: GraphBuilder, a: Value, b: Value, options?: OpOptions): Value {
  return g.addNode('MatMul', [a, b], {}, nameOption(options));
}

export const inferMatMul: ShapeRule = (ctx: InferenceContext) => {
  const a = ctx.input(0, 'A');
  const b = ctx.input(1, 'B');
  if (a.dtype !== b.dtype) ctx.fail(`dtype mismatch: ${formatType(a)} and ${formatType(b)}`);
  if (a.dtype === 'bool') ctx.fail(`inputs must be numeric, got ${a.dtype}`);
  if (a.shape.length === 0 || b.shape.length === 0)
    ctx.fail(`inputs must have rank ≥ 1, got ${formatType(a)} and ${formatType(b)}`);
  const aShape = a.shape.length === 1 ? [1, a.shape[0]!] : a.shape;
  const bShape = b.shape.length === 1 ? [b.shape[0]!, 1] : b.shape;
  const k1 = aShape[aShape.length - 1]!;
  const k2 = bShape[bShape.length - 2]!;
  if (isStaticDim(k1) && isStaticDim(k2) && k1 !== k2) {
    ctx.fail(`inner dimensions differ: ${formatType(a)} has ${k1} columns, ${formatType(b)} has ${k2} rows`);
  }
  const batch = broadcastShapes(aShape.slice(0, -2), bShape.slice(0, -2), (axis) => ctx.freshDim(axis));
  if (!batch.ok)
    ctx.fail(`cannot broadcast batch dims of ${formatType(a)} and ${formatType(b)}: ${batch.a} vs ${batch.b}`);
  const shape: Dim[] = [...batch.shape];
  if (a.shape.length > 1) shape.push(aShape[aShape.length - 2]!);
  if (b.shape.length > 1) shape.push(bShape[bShape.length - 1]!);
  return [{ dtype: a.dtype, shape }];
};
