import { ops, type GraphBuilder, type Value } from '../../graph/index.js';
import { GradientError, intAttribute, staticDim, type GradientRule } from '../autodiff/rule.js';
import { isUnitStride, SWAP_BATCH_AND_CHANNELS, weightGradient } from './conv-weight-gradient.js';
import { window2d, type Window2d } from './window.js';

/** A Slice end that reaches past index 0 when stepping backwards (ONNX clamps it to −1). */
const LAST_INDEX = 2 ** 31 - 1;

/**
 * Conv (2-D, group 1, no dilation) without ONNX Runtime's ConvGrad kernel:
 *   dX = Conv(dY, W flipped and transposed) with pads k − 1 − p for stride 1,
 *        ConvTranspose(dY, W) with an explicit output_padding otherwise;
 *   dW = MatMuls of dY against the input's shifted copies (conv-weight-gradient.ts) for stride 1,
 *        Conv(Xᵀ, dYᵀ) dilated by the stride otherwise;
 *   dB = ReduceSum(dY, [0, 2, 3]).
 * The stride-1 forms exist for speed: on ONNX Runtime's CPU provider a ConvTranspose costs about twice the
 * forward Conv and the dilated-Conv weight gradient (an H×W "kernel" with a 5×5 output) about four times,
 * while a Conv and large MatMuls run at the forward pass's pace (bench: training throughput).
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
  const dW = ctx.needsGradient(1) ? weightGradient(g, x, dY, window, channels) : undefined;
  const dB =
    node.inputs.length > 2 && ctx.needsGradient(2) ? ops.reduceSum(g, dY, [0, 2, 3], { keepdims: false }) : undefined;
  return [dX, dW, dB];
};

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
