import { attr, ops, type GraphBuilder, type Value } from '../../graph/index.js';
import { GradientError, intAttribute, staticDim, type GradientRule } from '../autodiff/rule.js';
import { window2d, type Window2d } from './window.js';

const SWAP_BATCH_AND_CHANNELS = [1, 0, 2, 3];

/**
 * Conv (2-D, group 1, no dilation), as ONNX Runtime's gradient builder
 * derives it but without its ConvGrad kernel:
 *   dX = ConvTranspose(dY, W) with the forward strides and pads and an explicit output_padding;
 *   dW = Conv(Xᵀ, dYᵀ) with dilations = strides, transposed back and cut to the kernel size;
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
  const dW = ctx.needsGradient(1) ? weightGradient(g, x, w, dY, window) : undefined;
  const dB = node.inputs.length > 2 && ctx.needsGradient(2) ? ops.reduceSum(g, dY, [0, 2, 3], { keepdims: false }) : undefined;
  return [dX, dW, dB];
};

/**
 * dW[m, c, i, j] = Σ_n,a,b dY[n, m, a, b] · Xpad[n, c, i + s·a, j + s·b]: a
 * convolution of X (batch and channels swapped) with dY as its kernel,
 * dilated by the stride. Its output has output_padding extra rows and
 * columns at the end (positions past the last window), which are cut off.
 */
function weightGradient(g: GraphBuilder, x: Value, w: Value, dY: Value, window: Window2d): Value {
  const xT = ops.transpose(g, x, SWAP_BATCH_AND_CHANNELS);
  const dyT = ops.transpose(g, dY, SWAP_BATCH_AND_CHANNELS);
  const [kh, kw] = window.kernel;
  const [oph, opw] = window.outputPadding;
  const [outChannels, inChannels] = [w.shape[0]!, w.shape[1]!];
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
