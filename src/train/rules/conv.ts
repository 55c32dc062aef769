import { attr, ops, type GraphBuilder, type Value } from '../../graph/index.js';
import { GradientError, intAttribute, staticDim, type GradientRule } from '../autodiff/rule.js';
import { window2d, type Window2d } from './window.js';

const SWAP_BATCH_AND_CHANNELS = [1, 0, 2, 3];
/** A Slice end that reaches past index 0 when stepping backwards (ONNX clamps it to −1). */
const LAST_INDEX = 2 ** 31 - 1;

/** [output channels M, input channels C] of the weight. */
type Channels = readonly [number, number];

/**
 * Conv (2-D, group 1, no dilation) without ONNX Runtime's ConvGrad kernel:
 *   dX = Conv(dY, W flipped and transposed) with pads k − 1 − p for stride 1,
 *        ConvTranspose(dY, W) with an explicit output_padding otherwise;
 *   dW = one MatMul of dY against the input's patches (im2col from Slices) for stride 1,
 *        a MatMul per image summed over the batch for 1×1, Conv(Xᵀ, dYᵀ) dilated by the stride otherwise;
 *   dB = ReduceSum(dY, [0, 2, 3]).
 * The stride-1 forms exist for speed: on ONNX Runtime's CPU provider a ConvTranspose costs about twice the
 * forward Conv and the dilated-Conv weight gradient (an H×W "kernel" with a 5×5 output) about four times,
 * while a Conv and one large MatMul run at the forward pass's pace (bench: training throughput).
 */
export const convGradient: GradientRule = (ctx, dY) => {
  const { g, node } = ctx;
  if (intAttribute(node, 'group', 1) !== 1)
    throw new GradientError(`Conv node ${node.name}: grouped convolutions have no gradient rule`);
  const x = ctx.input(0);
  const w = ctx.input(1);
  const kernel = [staticDim(node, w, 2, 'kernel'), staticDim(node, w, 3, 'kernel')] as const;
  const window = window2d(ctx, kernel, x, ctx.output(0));
  const channels = [staticDim(node, w, 0, 'output channels'), staticDim(node, w, 1, 'input channels')] as const;
  const dX = ctx.needsGradient(0) ? inputGradient(g, dY, w, window) : undefined;
  const dW = !ctx.needsGradient(1)
    ? undefined
    : isPointwise(window)
      ? pointwiseWeightGradient(g, x, dY, channels)
      : isUnitStride(window)
        ? patchWeightGradient(g, x, dY, window, channels)
        : dilatedWeightGradient(g, x, dY, window, channels);
  const dB =
    node.inputs.length > 2 && ctx.needsGradient(2) ? ops.reduceSum(g, dY, [0, 2, 3], { keepdims: false }) : undefined;
  return [dX, dW, dB];
};

function isUnitStride(window: Window2d): boolean {
  return window.strides.every((s) => s === 1);
}

/**
 * dX[c, u] = Σ_m,i dY[m, u + p − i] · W[m, c, i]: for stride 1 a plain convolution of dY with W's input and output
 * channels swapped and its window flipped, padded by k − 1 − p on each side (a padding p ≥ k, legal but odd,
 * would need negative pads: ConvTranspose takes that case).
 */
function inputGradient(g: GraphBuilder, dY: Value, w: Value, window: Window2d): Value {
  const { kernel, pads, strides } = window;
  const padsBelowKernel = pads.every((p, i) => p <= kernel[i % 2]! - 1);
  if (!isUnitStride(window) || !padsBelowKernel) {
    return ops.convTranspose(g, dY, w, undefined, { strides, pads, outputPadding: window.outputPadding });
  }
  const swapped = ops.transpose(g, w, SWAP_BATCH_AND_CHANNELS);
  const flipped =
    kernel[0] === 1 && kernel[1] === 1
      ? swapped
      : ops.slice(g, swapped, { starts: [-1, -1], ends: [-LAST_INDEX, -LAST_INDEX], axes: [2, 3], steps: [-1, -1] });
  const [kh, kw] = kernel;
  const [pt, pl, pb, pr] = pads;
  return ops.conv(g, dY, flipped, undefined, { pads: [kh - 1 - pt, kw - 1 - pl, kh - 1 - pb, kw - 1 - pr] });
}

function isPointwise(window: Window2d): boolean {
  const { kernel, strides, pads } = window;
  return kernel.every((k) => k === 1) && strides.every((s) => s === 1) && pads.every((p) => p === 0);
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
 * Stride 1: dW[m, (c, i, j)] = Σ_(n,a,b) dY[m, (n, a, b)] · patches[(c, i, j), (n, a, b)], one MatMul, where
 * patches[(c, i, j)] is the padded input shifted by (i, j): k² Slices of X with batch and channels swapped,
 * stacked. It costs a k²-times copy of the input (kept for the step), and runs as fast as the forward Conv.
 */
function patchWeightGradient(
  g: GraphBuilder,
  x: Value,
  dY: Value,
  window: Window2d,
  [outChannels, inChannels]: Channels,
): Value {
  const [kh, kw] = window.kernel;
  const [ho, wo] = window.outputSize;
  const [pt, pl, pb, pr] = window.pads;
  const xT = ops.transpose(g, x, SWAP_BATCH_AND_CHANNELS);
  const padded = window.pads.every((p) => p === 0) ? xT : ops.pad(g, xT, [0, 0, pt, pl, 0, 0, pb, pr]);
  const shifted: Value[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const patch = ops.slice(g, padded, { starts: [i, j], ends: [i + ho, j + wo], axes: [2, 3] });
      shifted.push(ops.reshape(g, patch, [inChannels, 1, -1]));
    }
  }
  const patches = ops.reshape(g, ops.concat(g, shifted, 1), [inChannels * kh * kw, -1]);
  const dYRows = ops.reshape(g, ops.transpose(g, dY, SWAP_BATCH_AND_CHANNELS), [outChannels, -1]);
  const dW = ops.matMul(g, dYRows, ops.transpose(g, patches, [1, 0]));
  return ops.reshape(g, dW, [outChannels, inChannels, kh, kw]);
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
