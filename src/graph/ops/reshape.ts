import type { GraphBuilder } from '../builder.js';
import type { InferenceContext, ShapeRule } from '../inference.js';
import { formatShape, formatType, isStaticDim } from '../shape.js';
import { int64Tensor, tensorToNumbers } from '../tensor-data.js';
import type { Dim, Shape, Value } from '../types.js';
import { nameOption, type OpOptions } from './common.js';

/**
 * Reshape. `shape` may hold 0 (copy the input's dim at that index) and one -1
 * (whatever is left); given as numbers it becomes an int64 Constant, so the
 * output shape is known at build time. allowzero is never set.
 */
export function reshape(g: GraphBuilder, x: Value, shape: readonly number[] | Value, options?: OpOptions): Value {
  return g.atomically(() => {
    const shapeValue = isValue(shape) ? shape : g.constant(int64Tensor(shape));
    return g.addNode('Reshape', [x, shapeValue], {}, nameOption(options));
  });
}

export function isValue(v: readonly number[] | Value): v is Value {
  return !Array.isArray(v);
}

export const inferReshape: ShapeRule = (ctx: InferenceContext) => {
  const x = ctx.input(0, 'data');
  const shapeType = ctx.input(1, 'shape');
  if (shapeType.dtype !== 'int64' || shapeType.shape.length !== 1)
    ctx.fail(`shape must be a 1-D int64 tensor, got ${formatType(shapeType)}`);
  if (ctx.int('allowzero', 0) !== 0) ctx.fail('allowzero=1 is not supported');
  const constant = ctx.constantInput(1);
  if (constant === undefined) {
    const rank = shapeType.shape[0]!;
    if (!isStaticDim(rank)) ctx.fail('shape must have a static length when its values are not known at build time');
    return [{ dtype: x.dtype, shape: Array.from({ length: rank }, (_, i) => ctx.freshDim(i)) }];
  }
  return [{ dtype: x.dtype, shape: reshapeDims(ctx, x.shape, tensorToNumbers(constant)) }];
};

function reshapeDims(ctx: InferenceContext, input: Shape, requested: readonly number[]): Dim[] {
  const target = formatShape(requested);
  const inferred = requested.indexOf(-1);
  if (requested.lastIndexOf(-1) !== inferred) ctx.fail(`shape ${target} has more than one -1`);
  const out: (Dim | undefined)[] = requested.map((r, i) => {
    if (r < -1) ctx.fail(`shape ${target} has ${r}; only -1 and 0 are special`);
    if (r === 0) {
      if (i >= input.length)
        ctx.fail(`shape ${target} copies axis ${i} with 0, but the input has rank ${input.length}`);
      return input[i]!;
    }
    return r === -1 ? undefined : r;
  });
  const known = out.filter((d): d is Dim => d !== undefined);
  const quotient = divideDims(input, known);
  const description = `cannot reshape ${formatShape(input)} into ${target}`;
  if (inferred >= 0) {
    if (quotient.kind === 'static' && !Number.isInteger(quotient.value))
      ctx.fail(`${description}: sizes do not divide`);
    out[inferred] =
      quotient.kind === 'static'
        ? quotient.value
        : quotient.kind === 'symbol'
          ? quotient.symbol
          : ctx.freshDim(inferred);
  } else if (quotient.kind === 'static' && quotient.value !== 1) {
    ctx.fail(`${description}: element counts differ`);
  }
  return out.map((d) => d!);
}

type Quotient = { kind: 'static'; value: number } | { kind: 'symbol'; symbol: string } | { kind: 'unknown' };

/**
 * numerator product / denominator product, cancelling symbols that appear on
 * both sides, so [batch, 10, 1, 1] → [0, -1] gives [batch, 10].
 */
function divideDims(numerator: Shape, denominator: Shape): Quotient {
  const symbols = numerator.filter((d): d is string => !isStaticDim(d));
  let value = numerator.filter(isStaticDim).reduce((p, d) => p * d, 1);
  for (const d of denominator) {
    if (isStaticDim(d)) {
      if (d === 0) return value === 0 && symbols.length === 0 ? { kind: 'static', value: 1 } : { kind: 'unknown' };
      value /= d;
    } else {
      const at = symbols.indexOf(d);
      if (at < 0) return { kind: 'unknown' };
      symbols.splice(at, 1);
    }
  }
  if (symbols.length === 0) return { kind: 'static', value };
  if (symbols.length === 1 && value === 1) return { kind: 'symbol', symbol: symbols[0]! };
  return { kind: 'unknown' };
}
