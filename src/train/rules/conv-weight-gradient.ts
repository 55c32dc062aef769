import { attr, ops, type GraphBuilder, type Value } from '../../graph/index.js';
import type { Window2d } from './window.js';

export const SWAP_BATCH_AND_CHANNELS = [1, 0, 2, 3];

/** [output channels M, input channels C] of the weight. */
export type Channels = readonly [number, number];

/**
 * Below this many input channels a stride-1 weight gradient gathers each image's patches (im2col) and runs one MatMul
 * per image: a MatMul per kernel offset would have C columns, too narrow for a fast GEMM (the first layer's C = 3 ran
 * several times slower that way: docs/benchmarks.md). From it on, one MatMul per kernel offset, which never holds the
 * k²-times copy of the input that patches are (315 MB at batch 128 for pytorch-nin-cifar10's 5×5, 96-channel conv).
 */
const PER_OFFSET_MIN_CHANNELS = 16;

export function isUnitStride(window: Window2d): boolean {
  return window.strides.every((s) => s === 1);
}

function isPointwise(window: Window2d): boolean {
  const { kernel, strides, pads } = window;
  return kernel.every((k) => k === 1) && strides.every((s) => s === 1) && pads.every((p) => p === 0);
}

/** dW of a 2-D Conv (group 1, no dilation), in the form that runs fastest on ONNX Runtime's CPU for its geometry. */
export function weightGradient(g: GraphBuilder, x: Value, dY: Value, window: Window2d, channels: Channels): Value {
  if (isPointwise(window)) return pointwiseWeightGradient(g, x, dY, channels);
  if (!isUnitStride(window)) return dilatedWeightGradient(g, x, dY, window, channels);
  return channels[1] < PER_OFFSET_MIN_CHANNELS
    ? imagePatchWeightGradient(g, x, dY, window, channels)
    : offsetWeightGradient(g, x, dY, window, channels);
}

/**
 * A 1×1 convolution's dW[m, c] = Σ_n Σ_hw dY[n, m, hw] · X[n, c, hw]: per image
 * one [M, HW] × [HW, C] MatMul, summed over the batch. The general form below
 * would run this as a convolution with an H×W kernel and a 1×1 output, a
 * matrix-vector product per channel, several times slower on CPU.
 */
function pointwiseWeightGradient(g: GraphBuilder, x: Value, dY: Value, [outChannels, inChannels]: Channels): Value {
  const dYRows = ops.reshape(g, dY, [0, outChannels, -1]);
  const xColumns = ops.transpose(g, ops.reshape(g, x, [0, inChannels, -1]), [0, 2, 1]);
  const perImage = ops.matMul(g, dYRows, xColumns);
  return ops.reshape(g, ops.reduceSum(g, perImage, [0], { keepdims: false }), [outChannels, inChannels, 1, 1]);
}

/**
 * Stride 1, many input channels: dW[:, :, i, j] = dYᵀ-rows [M, N·Ho·Wo] × (Xᵀ padded, shifted by (i, j))ᵀ
 * [N·Ho·Wo, C], one MatMul per kernel offset over the whole batch, the k² results stacked. X and dY are transposed
 * (batch and channels swapped) once; each offset's Slice is a copy of the input's size that the next one reuses.
 */
function offsetWeightGradient(
  g: GraphBuilder,
  x: Value,
  dY: Value,
  window: Window2d,
  [outChannels, inChannels]: Channels,
): Value {
  const [kh, kw] = window.kernel;
  const [ho, wo] = window.outputSize;
  const dYRows = ops.reshape(g, ops.transpose(g, dY, SWAP_BATCH_AND_CHANNELS), [outChannels, -1]);
  const padded = padSpatially(g, ops.transpose(g, x, SWAP_BATCH_AND_CHANNELS), window);
  const perOffset: Value[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const shifted = ops.slice(g, padded, { starts: [i, j], ends: [i + ho, j + wo], axes: [2, 3] });
      const columns = ops.transpose(g, ops.reshape(g, shifted, [inChannels, -1]), [1, 0]);
      perOffset.push(ops.reshape(g, ops.matMul(g, dYRows, columns), [outChannels, inChannels, 1]));
    }
  }
  return ops.reshape(g, ops.concat(g, perOffset, 2), [outChannels, inChannels, kh, kw]);
}

/**
 * Stride 1, few input channels: per image, dW_n = dY_n [M, Ho·Wo] × patches_n [Ho·Wo, C·k²], summed over the
 * batch, where patches_n[(c, i, j)] is the padded image shifted by (i, j): k² Slices stacked (C·k² is small here,
 * so the copy is too). dY is read as it is, without a transpose of the largest activation.
 */
function imagePatchWeightGradient(
  g: GraphBuilder,
  x: Value,
  dY: Value,
  window: Window2d,
  [outChannels, inChannels]: Channels,
): Value {
  const [kh, kw] = window.kernel;
  const [ho, wo] = window.outputSize;
  const padded = padSpatially(g, x, window);
  const shifted: Value[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const patch = ops.slice(g, padded, { starts: [i, j], ends: [i + ho, j + wo], axes: [2, 3] });
      shifted.push(ops.reshape(g, patch, [0, inChannels, 1, -1]));
    }
  }
  const patches = ops.reshape(g, ops.concat(g, shifted, 2), [0, inChannels * kh * kw, -1]);
  const perImage = ops.matMul(g, ops.reshape(g, dY, [0, outChannels, -1]), ops.transpose(g, patches, [0, 2, 1]));
  return ops.reshape(g, ops.reduceSum(g, perImage, [0], { keepdims: false }), [outChannels, inChannels, kh, kw]);
}

/** A 4-D value zero-padded on its last two axes by the window's pads. */
function padSpatially(g: GraphBuilder, x: Value, window: Window2d): Value {
  const [pt, pl, pb, pr] = window.pads;
  return window.pads.every((p) => p === 0) ? x : ops.pad(g, x, [0, 0, pt, pl, 0, 0, pb, pr]);
}

/**
 * Any stride: dW[m, c, i, j] = Σ_n,a,b dY[n, m, a, b] · Xpad[n, c, i + s·a, j + s·b]: a
 * convolution of X (batch and channels swapped) with dY as its kernel,
 * dilated by the stride. Its output has output_padding extra rows and
 * columns at the end (positions past the last window), which are cut off.
 */
function dilatedWeightGradient(
  g: GraphBuilder,
  x: Value,
  dY: Value,
  window: Window2d,
  [outChannels, inChannels]: Channels,
): Value {
  const xT = ops.transpose(g, x, SWAP_BATCH_AND_CHANNELS);
  const dyT = ops.transpose(g, dY, SWAP_BATCH_AND_CHANNELS);
  const [kh, kw] = window.kernel;
  const [oph, opw] = window.outputPadding;
  // The kernel's "input channels" are the batch, symbolic here, which the IR's Conv
  // shape rule refuses in a weight; the output type is known, so it is given.
  const full = g.addNode(
    'Conv',
    [xT, dyT],
    {
      strides: attr.ints([1, 1]),
      pads: attr.ints(window.pads),
      dilations: attr.ints(window.strides),
    },
    { outputTypes: [{ dtype: x.dtype, shape: [inChannels, outChannels, kh + oph, kw + opw] }] },
  );
  const cut = oph === 0 && opw === 0 ? full : ops.slice(g, full, { starts: [0, 0], ends: [kh, kw], axes: [2, 3] });
  return ops.transpose(g, cut, SWAP_BATCH_AND_CHANNELS);
}
