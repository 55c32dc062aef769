import type { Value } from '../../graph/index.js';
import { GradientError, intsAttribute, staticDim, type GradientContext } from '../autodiff/rule.js';

type Pair = readonly [number, number];

/** The geometry of a 2-D sliding window (Conv, MaxPool, AveragePool), all static. */
export interface Window2d {
  readonly kernel: Pair;
  readonly strides: Pair;
  /** ONNX order [top, left, bottom, right]. */
  readonly pads: readonly [number, number, number, number];
  /** [H, W] of the input. */
  readonly inputSize: Pair;
  /** [H, W] of the output. */
  readonly outputSize: Pair;
  /**
   * The ConvTranspose output_padding that brings a transposed window back to
   * the input's size: (H + top + bottom − k) mod s, the rows that the forward
   * window's floor division never reached. Given explicitly, never auto_pad.
   */
  readonly outputPadding: Pair;
}

/**
 * Reads the window of a 2-D node from its attributes and its input/output
 * shapes. `kernel` comes from kernel_shape (pools) or the weight (Conv).
 */
export function window2d(ctx: GradientContext, kernel: Pair, x: Value, y: Value): Window2d {
  const { node } = ctx;
  if (x.shape.length !== 4)
    throw new GradientError(`${node.opType} node ${node.name}: only 2-D (NCHW) windows have a gradient rule`);
  const dilations = intsAttribute(node, 'dilations', [1, 1]);
  if (dilations.some((d) => d !== 1))
    throw new GradientError(`${node.opType} node ${node.name}: dilations other than 1 have no gradient rule`);
  const strides = intsAttribute(node, 'strides', [1, 1]);
  const pads = intsAttribute(node, 'pads', [0, 0, 0, 0]);
  const inputSize: Pair = [staticDim(node, x, 2, 'window gradient'), staticDim(node, x, 3, 'window gradient')];
  const outputSize: Pair = [staticDim(node, y, 2, 'window gradient'), staticDim(node, y, 3, 'window gradient')];
  const [sh, sw] = [strides[0]!, strides[1]!];
  const [pt, pl, pb, pr] = [pads[0]!, pads[1]!, pads[2]!, pads[3]!];
  return {
    kernel,
    strides: [sh, sw],
    pads: [pt, pl, pb, pr],
    inputSize,
    outputSize,
    outputPadding: [(inputSize[0] + pt + pb - kernel[0]) % sh, (inputSize[1] + pl + pr - kernel[1]) % sw],
  };
}

/** kernel_shape of a pool node as a pair. */
export function poolKernel(ctx: GradientContext): Pair {
  const kernel = intsAttribute(ctx.node, 'kernel_shape', []);
  if (kernel.length !== 2)
    throw new GradientError(`${ctx.node.opType} node ${ctx.node.name}: only 2-D pools have a gradient rule`);
  return [kernel[0]!, kernel[1]!];
}
