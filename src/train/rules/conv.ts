import { attr, ops, type GraphBuilder, type Value } from '../../graph/index.js';
import { GradientError, intAttribute, staticDim, type GradientRule } from '../autodiff/rule.js';
import { window2d, type Window2d } from './window.js';

const SWAP_BATCH_AND_CHANNELS = [1, 0, 2, 3];

/** [output channels M, input channels C] of the weight. */
type Channels = readonly [number, number];

/**
 * Conv (2-D, group 1, no dilation), as ONNX Runtime's gradient builder
 * derives it but without its ConvGrad kernel:
 *   dX = ConvTranspose(dY, W) with the forward strides and pads and an explicit output_padding;
 *   dW = Conv(Xᵀ, dYᵀ) with dilations = strides, transposed back and cut to the kernel size
 *        (for a 1×1 convolution, a MatMul per image summed over the batch);
 *   dB = ReduceSum(dY, [0, 2, 3]).
 */
export const convGradient: GradientRule = (ctx, dY) => {
  const { g, node } = ctx;
  if (intAttribute(node, 'group', 1) !== 1) throw new GradientError(`Conv node ${node.name}: grouped convolutions have no gradient rule`);
  const x = ctx.input(0);
  const w = ctx.input(1);
  const kernel = [staticDim(node, w, 2, 'kernel'), staticDim(node, w, 3, 'kernel')] as const;
  const window = window2d(ctx, kernel, x, ctx.output(0));
  const dX = ctx.needsGradient(0)
    ? ops.convTranspose(g, dY, w, undefined, { strides: window.strides, pads: window.pads, outputPadding: window.outputPadding })
    : undefined;
  const channels = [staticDim(node, w, 0, 'output channels'), staticDim(node, w, 1, 'input channels')] as const;
  const dW = !ctx.needsGradient(1)
    ? undefined
    : isPointwise(window)
      ? pointwiseWeightGradient(g, x, dY, channels)
      : weightGradient(g, x, dY, window, channels);
  const dB = node.inputs.length > 2 && ctx.needsGradient(2) ? ops.reduceSum(g, dY, [0, 2, 3], { keepdims: false }) : undefined;
  return [dX, dW, dB];
};

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
 * dW[m, c, i, j] = Σ_n,a,b dY[n, m, a, b] · Xpad[n, c, i + s·a, j + s·b]: a
 * convolution of X (batch and channels swapped) with dY as its kernel,
 * dilated by the stride. Its output has output_padding extra rows and
 * columns at the end (positions past the last window), which are cut off.
 */
function weightGradient(g: GraphBuilder, x: Value, dY: Value, window: Window2d, [outChannels, inChannels]: Channels): Value {
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
