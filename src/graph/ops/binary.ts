import type { GraphBuilder } from '../builder.js';
import type { InferenceContext, ShapeRule } from '../inference.js';
import { broadcastShapes, formatType } from '../shape.js';
import type { DataType, Dim, TensorType, Value } from '../types.js';
import { nameOption, type OpOptions } from './common.js';

/** Numpy broadcasting of every given input, with an error that names both operands. */
export function broadcastInputs(ctx: InferenceContext, types: readonly TensorType[]): Dim[] {
  let shape: readonly Dim[] = types[0]!.shape;
  for (let i = 1; i < types.length; i++) {
    const result = broadcastShapes(shape, types[i]!.shape, (axis) => ctx.freshDim(axis));
    if (!result.ok) {
      const pair = types.length === 2 ? '' : ` (input ${i})`;
      ctx.fail(
        `cannot broadcast ${formatType(types[0]!)} with ${formatType(types[i]!)}${pair}: axis ${result.axis} is ${result.a} vs ${result.b}`,
      );
    }
    shape = result.shape;
  }
  return [...shape];
}

function binaryRule(
  output: (input: DataType) => DataType,
  accepts: (dtype: DataType) => boolean,
  kind: string,
): ShapeRule {
  return (ctx: InferenceContext) => {
    const a = ctx.input(0, 'A');
    const b = ctx.input(1, 'B');
    if (a.dtype !== b.dtype) ctx.fail(`dtype mismatch: ${formatType(a)} and ${formatType(b)}`);
    if (!accepts(a.dtype)) ctx.fail(`inputs must be ${kind}, got ${a.dtype}`);
    return [{ dtype: output(a.dtype), shape: broadcastInputs(ctx, [a, b]) }];
  };
}

const numeric = (dtype: DataType): boolean => dtype !== 'bool';
const same = (dtype: DataType): DataType => dtype;
const toBool = (): DataType => 'bool';

export const inferAdd = binaryRule(same, numeric, 'numeric');
export const inferSub = binaryRule(same, numeric, 'numeric');
export const inferMul = binaryRule(same, numeric, 'numeric');
export const inferDiv = binaryRule(same, numeric, 'numeric');
export const inferGreater = binaryRule(toBool, numeric, 'numeric');
export const inferEqual = binaryRule(toBool, () => true, 'any type');

export const inferWhere: ShapeRule = (ctx: InferenceContext) => {
  const condition = ctx.input(0, 'condition');
  const x = ctx.input(1, 'X');
  const y = ctx.input(2, 'Y');
  if (condition.dtype !== 'bool') ctx.fail(`condition must be bool, got ${formatType(condition)}`);
  if (x.dtype !== y.dtype) ctx.fail(`dtype mismatch: ${formatType(x)} and ${formatType(y)}`);
  return [{ dtype: x.dtype, shape: broadcastInputs(ctx, [condition, x, y]) }];
};

export function add(g: GraphBuilder, a: Value, b: Value, options?: OpOptions): Value {
  return g.addNode('Add', [a, b], {}, nameOption(options));
}

export function sub(g: GraphBuilder, a: Value, b: Value, options?: OpOptions): Value {
  return g.addNode('Sub', [a, b], {}, nameOption(options));
}

export function mul(g: GraphBuilder, a: Value, b: Value, options?: OpOptions): Value {
  return g.addNode('Mul', [a, b], {}, nameOption(options));
}

export function div(g: GraphBuilder, a: Value, b: Value, options?: OpOptions): Value {
  return g.addNode('Div', [a, b], {}, nameOption(options));
}

/** a > b elementwise, giving bool. */
export function greater(g: GraphBuilder, a: Value, b: Value, options?: OpOptions): Value {
  return g.addNode('Greater', [a, b], {}, nameOption(options));
}

/** a == b elementwise, giving bool. */
export function equal(g: GraphBuilder, a: Value, b: Value, options?: OpOptions): Value {
  return g.addNode('Equal', [a, b], {}, nameOption(options));
}

/** condition ? x : y elementwise, all three broadcast together. */
export function where(g: GraphBuilder, condition: Value, x: Value, y: Value, options?: OpOptions): Value {
  return g.addNode('Where', [condition, x, y], {}, nameOption(options));
}
