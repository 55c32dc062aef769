import { isFloatType } from '../dtypes.js';
import type { InferenceContext } from '../inference.js';
import { formatType, isStaticDim } from '../shape.js';
import type { Dim, TensorType } from '../types.js';

/** Every op function takes this last: a name hint for the node and its output. */
export interface OpOptions {
  readonly name?: string;
}

/** Options that accept one number for "the same on every spatial axis". */
export type PerAxis = number | readonly number[];

export function expandPerAxis(value: PerAxis | undefined, count: number, fallback: number): readonly number[] {
  if (value === undefined) return new Array<number>(count).fill(fallback);
  if (typeof value === 'number') return new Array<number>(count).fill(value);
  return [...value];
}

export function nameOption(options: OpOptions | undefined): { name?: string } {
  return options?.name === undefined ? {} : { name: options.name };
}

export function requireFloat(ctx: InferenceContext, type: TensorType, role: string): void {
  if (!isFloatType(type.dtype)) ctx.fail(`${role} must be a float tensor, got ${formatType(type)}`);
}

export function requireSameDtype(
  ctx: InferenceContext,
  a: TensorType,
  roleA: string,
  b: TensorType,
  roleB: string,
): void {
  if (a.dtype !== b.dtype) ctx.fail(`${roleB} is ${b.dtype} but ${roleA} is ${a.dtype}`);
}

export function requireRankAtLeast(
  ctx: InferenceContext,
  type: TensorType,
  rank: number,
  role: string,
  layout: string,
): void {
  if (type.shape.length < rank) ctx.fail(`${role} must have rank ≥ ${rank} (${layout}), got ${formatType(type)}`);
}

/** Checks that an ints attribute has one entry per spatial axis (or two for pads) and that all pass `valid`. */
export function checkPerAxis(
  ctx: InferenceContext,
  name: string,
  values: readonly number[],
  count: number,
  valid: (v: number) => boolean,
  requirement: string,
): void {
  if (values.length !== count) ctx.fail(`${name} must have ${count} values, got [${values.join(',')}]`);
  const bad = values.find((v) => !valid(v));
  if (bad !== undefined) ctx.fail(`${name} must be ${requirement}, got [${values.join(',')}]`);
}

export function rejectAutoPad(ctx: InferenceContext): void {
  const autoPad = ctx.string('auto_pad', 'NOTSET');
  if (autoPad !== 'NOTSET') ctx.fail(`auto_pad=${autoPad} is not supported; give explicit pads`);
}

export interface Window {
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  /** ONNX order: all begins, then all ends ([top, left, bottom, right] in 2-D). */
  readonly pads: readonly number[];
  readonly dilations: readonly number[];
}

/**
 * Output sizes of a sliding window (Conv, MaxPool, AveragePool) in ONNX's
 * floor mode: floor((in + begin + end − ((k − 1)·d + 1)) / s) + 1. A symbolic
 * size passes through only for a window that cannot change it (1×1, stride 1,
 * no pad); otherwise the output gets a fresh symbol.
 */
export function windowOutputDims(
  ctx: InferenceContext,
  spatial: readonly Dim[],
  window: Window,
  firstAxis: number,
): Dim[] {
  const n = spatial.length;
  return spatial.map((size, i) => {
    const k = window.kernel[i]!;
    const s = window.strides[i]!;
    const d = window.dilations[i]!;
    const begin = window.pads[i]!;
    const end = window.pads[i + n]!;
    const extent = (k - 1) * d + 1;
    if (!isStaticDim(size)) {
      return extent === 1 && s === 1 && begin === 0 && end === 0 ? size : ctx.freshDim(firstAxis + i);
    }
    const span = size + begin + end - extent;
    if (span < 0) {
      ctx.fail(
        `spatial axis ${firstAxis + i} has size ${size}, padded to ${size + begin + end}, smaller than the kernel extent ${extent}`,
      );
    }
    return Math.floor(span / s) + 1;
  });
}

export function positive(v: number): boolean {
  return Number.isInteger(v) && v > 0;
}

export function nonNegative(v: number): boolean {
  return Number.isInteger(v) && v >= 0;
}
