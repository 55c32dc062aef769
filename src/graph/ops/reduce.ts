import { attr } from '../attributes.js';
import type { GraphBuilder } from '../builder.js';
import type { InferenceContext, ShapeRule } from '../inference.js';
import { formatType, normalizeAxis } from '../shape.js';
import { int64Tensor, tensorToNumbers } from '../tensor-data.js';
import type { Attribute, Dim, Value } from '../types.js';
import { nameOption, type OpOptions } from './common.js';

/**
 * The opset from which each reduction takes `axes` as an int64 input instead
 * of an attribute: ReduceSum moved at 13, the others only at 18. Opset 17,
 * this project's default, therefore needs both forms.
 */
export const AXES_AS_INPUT_SINCE: Readonly<Record<string, number>> = {
  ReduceSum: 13,
  ReduceMean: 18,
  ReduceMax: 18,
  ReduceMin: 18,
  ReduceProd: 18,
  ReduceLogSumExp: 18,
  ReduceSumSquare: 18,
  ReduceL1: 18,
  ReduceL2: 18,
  ReduceLogSum: 18,
};

export interface ReduceOptions extends OpOptions {
  /** Keep reduced axes as size 1 (ONNX and this function default to true). */
  readonly keepdims?: boolean;
}

type ReduceOp = 'ReduceSum' | 'ReduceMean' | 'ReduceMax' | 'ReduceLogSumExp' | 'ReduceSumSquare';

function reduce(
  opType: ReduceOp,
  g: GraphBuilder,
  x: Value,
  axes: readonly number[] | undefined,
  options: ReduceOptions,
): Value {
  return g.atomically(() => {
    const attributes: Record<string, Attribute> = {};
    const inputs: Value[] = [x];
    if (axes !== undefined) {
      if (g.opsetVersion >= AXES_AS_INPUT_SINCE[opType]!) inputs.push(g.constant(int64Tensor(axes)));
      else attributes['axes'] = attr.ints(axes);
    }
    attributes['keepdims'] = attr.int(options.keepdims === false ? 0 : 1);
    return g.addNode(opType, inputs, attributes, nameOption(options));
  });
}

/** Without `axes`, every axis is reduced. */
export function reduceSum(g: GraphBuilder, x: Value, axes?: readonly number[], options: ReduceOptions = {}): Value {
  return reduce('ReduceSum', g, x, axes, options);
}

/** Σx² in one pass, without the squares as a tensor of their own. */
export function reduceSumSquare(
  g: GraphBuilder,
  x: Value,
  axes?: readonly number[],
  options: ReduceOptions = {},
): Value {
  return reduce('ReduceSumSquare', g, x, axes, options);
}

export function reduceMean(g: GraphBuilder, x: Value, axes?: readonly number[], options: ReduceOptions = {}): Value {
  return reduce('ReduceMean', g, x, axes, options);
}

export function reduceMax(g: GraphBuilder, x: Value, axes?: readonly number[], options: ReduceOptions = {}): Value {
  return reduce('ReduceMax', g, x, axes, options);
}

export function reduceLogSumExp(
  g: GraphBuilder,
  x: Value,
  axes?: readonly number[],
  options: ReduceOptions = {},
): Value {
  return reduce('ReduceLogSumExp', g, x, axes, options);
}

export const inferReduce: ShapeRule = (ctx: InferenceContext) => {
  const x = ctx.input(0, 'data');
  if (x.dtype === 'bool') ctx.fail(`input must be numeric, got ${formatType(x)}`);
  const rank = x.shape.length;
  const fromAttribute = ctx.optionalInts('axes');
  const axesInput = ctx.optionalInput(1);
  if (fromAttribute !== undefined && axesInput !== undefined) ctx.fail('axes given both as attribute and as input');
  let axes: readonly number[] | undefined = fromAttribute;
  if (axesInput !== undefined) {
    if (axesInput.dtype !== 'int64' || axesInput.shape.length !== 1)
      ctx.fail(`axes must be a 1-D int64 tensor, got ${formatType(axesInput)}`);
    const constant = ctx.constantInput(1);
    if (constant === undefined) ctx.fail('axes must be known at build time (an initializer or Constant)');
    axes = tensorToNumbers(constant);
  }
  const keepdims = ctx.int('keepdims', 1) !== 0;
  if ((axes === undefined || axes.length === 0) && ctx.int('noop_with_empty_axes', 0) !== 0) return [x];
  const reduced = new Set<number>();
  for (const a of axes ?? x.shape.map((_, i) => i)) {
    const n = normalizeAxis(a, rank);
    if (n === undefined) ctx.fail(`axis ${a} is out of range for rank ${rank}`);
    if (reduced.has(n)) ctx.fail(`axis ${a} is repeated in [${(axes ?? []).join(',')}]`);
    reduced.add(n);
  }
  const all = axes === undefined || axes.length === 0;
  const shape: Dim[] = [];
  x.shape.forEach((d, i) => {
    if (!all && !reduced.has(i)) shape.push(d);
    else if (keepdims) shape.push(1);
  });
  return [{ dtype: x.dtype, shape }];
};
