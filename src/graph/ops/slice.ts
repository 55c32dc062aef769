import type { GraphBuilder } from '../builder.js';
import type { InferenceContext, ShapeRule } from '../inference.js';
import { formatType, isStaticDim, normalizeAxis } from '../shape.js';
import { int64Tensor, tensorToNumbers } from '../tensor-data.js';
import type { Dim, Value } from '../types.js';
import { nameOption, type OpOptions } from './common.js';

export interface SliceOptions extends OpOptions {
  readonly starts: readonly number[];
  /** Use a large number (e.g. Number.MAX_SAFE_INTEGER) for "to the end", as ONNX does with INT64_MAX. */
  readonly ends: readonly number[];
  readonly axes?: readonly number[];
  readonly steps?: readonly number[];
}

/** Slice with starts/ends/axes/steps as int64 Constant inputs (opset ≥ 10 form). */
export function slice(g: GraphBuilder, x: Value, options: SliceOptions): Value {
  return g.atomically(() => {
    const inputs: (Value | undefined)[] = [
      x,
      g.constant(int64Tensor(options.starts)),
      g.constant(int64Tensor(options.ends)),
    ];
    inputs.push(options.axes === undefined ? undefined : g.constant(int64Tensor(options.axes)));
    if (options.steps !== undefined) inputs.push(g.constant(int64Tensor(options.steps)));
    return g.addNode('Slice', inputs, {}, nameOption(options));
  });
}

/** ONNX's clamping rules for one axis of static size `n`. */
export function slicedLength(n: number, start: number, end: number, step: number): number {
  if (step > 0) {
    const s = Math.min(Math.max(start < 0 ? start + n : start, 0), n);
    const e = Math.min(Math.max(end < 0 ? end + n : end, 0), n);
    return Math.max(0, Math.ceil((e - s) / step));
  }
  const s = Math.min(Math.max(start < 0 ? start + n : start, 0), n - 1);
  const e = Math.min(Math.max(end < 0 ? end + n : end, -1), n - 1);
  return Math.max(0, Math.ceil((s - e) / -step));
}

/** Anything at least this large means "to the end" for an axis whose size is not known. */
const TO_THE_END = 2 ** 31 - 1;

export const inferSlice: ShapeRule = (ctx: InferenceContext) => {
  const x = ctx.input(0, 'data');
  const rank = x.shape.length;
  const parts = ['starts', 'ends', 'axes', 'steps'] as const;
  const values: (readonly number[] | undefined)[] = parts.map((role, k) => {
    const type = ctx.optionalInput(k + 1);
    if (type === undefined) return undefined;
    if ((type.dtype !== 'int64' && type.dtype !== 'int32') || type.shape.length !== 1) {
      ctx.fail(`${role} must be a 1-D integer tensor, got ${formatType(type)}`);
    }
    const constant = ctx.constantInput(k + 1);
    if (constant === undefined) ctx.fail(`${role} must be known at build time (an initializer or Constant)`);
    return tensorToNumbers(constant);
  });
  const [starts, ends, axesGiven, stepsGiven] = values;
  if (starts === undefined || ends === undefined) ctx.fail('starts and ends are required');
  const axes = axesGiven ?? starts.map((_, i) => i);
  const steps = stepsGiven ?? starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) {
    ctx.fail(
      `starts, ends, axes and steps must have the same length, got ${starts.length}, ${ends.length}, ${axes.length}, ${steps.length}`,
    );
  }
  const shape: Dim[] = [...x.shape];
  const seen = new Set<number>();
  axes.forEach((a, i) => {
    const axis = normalizeAxis(a, rank);
    if (axis === undefined) ctx.fail(`axis ${a} is out of range for rank ${rank}`);
    if (seen.has(axis)) ctx.fail(`axis ${a} is repeated`);
    seen.add(axis);
    const step = steps[i]!;
    if (step === 0) ctx.fail(`step on axis ${a} must not be 0`);
    const size = x.shape[axis]!;
    if (isStaticDim(size)) shape[axis] = slicedLength(size, starts[i]!, ends[i]!, step);
    else if (!(starts[i] === 0 && ends[i]! >= TO_THE_END && step === 1)) shape[axis] = ctx.freshDim(axis);
  });
  return [{ dtype: x.dtype, shape }];
};
