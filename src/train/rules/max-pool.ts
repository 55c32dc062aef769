import { float32Tensor, ops, type GraphBuilder, type Value } from '../../graph/index.js';
import { GradientError, intAttribute, staticDim, type GradientRule } from '../autodiff/rule.js';
import { poolKernel, window2d, type Window2d } from './window.js';

/**
 * MaxPool without its Indices output (native WebGPU rejects it) and without
 * ScatterElements or MaxUnpool (JSEP has neither).
 *
 * For each kernel offset in row-major order, the strided slice of the padded
 * input at that offset is compared with the pooled output. The first offset
 * that matches takes the window's whole gradient, and the window is then
 * "claimed" (its remaining gradient set to 0): PyTorch's tie-break, which
 * sends the gradient to the first maximum in scan order. Masks are multiplied
 * in as floats and the claimed part subtracted, not chosen with Where, which
 * is slower on ONNX Runtime's CPU (see relu.ts). The per-offset
 * gradients are stacked as channels and put back in place by one depthwise
 * ConvTranspose whose kernels are one-hot at their offset, with the pool's
 * stride; overlapping windows add up, as they must.
 */
export const maxPoolGradient: GradientRule = (ctx, dY) => {
  const { g, node } = ctx;
  if (intAttribute(node, 'storage_order', 0) !== 0)
    throw new GradientError(`MaxPool node ${node.name}: storage_order=1 has no gradient rule`);
  if (node.outputs.length > 1)
    throw new GradientError(`MaxPool node ${node.name}: the Indices output is not supported`);
  const x = ctx.input(0);
  const y = ctx.output(0);
  const window = window2d(ctx, poolKernel(ctx), x, y);
  const channels = staticDim(node, x, 1, 'depthwise scatter kernel');
  const perOffset = offsetGradients(g, padWithLowest(g, x, window), y, dY, window, channels);
  const stacked = ops.reshape(g, ops.concat(g, perOffset, 2), [0, channels * perOffset.length, ...window.outputSize]);
  const scatter = g.initializer(`${node.name}.grad_scatter`, oneHotKernels(channels, window));
  return [
    ops.convTranspose(g, stacked, scatter, undefined, {
      strides: window.strides,
      pads: window.pads,
      outputPadding: window.outputPadding,
      group: channels,
    }),
  ];
};

/** X padded with −∞, so a padded cell never equals a window's maximum. */
function padWithLowest(g: GraphBuilder, x: Value, window: Window2d): Value {
  const [top, left, bottom, right] = window.pads;
  if (top === 0 && left === 0 && bottom === 0 && right === 0) return x;
  return ops.pad(g, x, [0, 0, top, left, 0, 0, bottom, right], { value: -Infinity });
}

/** One [N, C, 1, Ho, Wo] gradient per kernel offset (row-major), each window's dY at its first maximum only. */
function offsetGradients(
  g: GraphBuilder,
  padded: Value,
  y: Value,
  dY: Value,
  window: Window2d,
  channels: number,
): Value[] {
  const [kh, kw] = window.kernel;
  const [sh, sw] = window.strides;
  const [oh, ow] = window.outputSize;
  const result: Value[] = [];
  let unclaimed = dY;
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const candidate = ops.slice(g, padded, {
        starts: [i, j],
        ends: [i + sh * (oh - 1) + 1, j + sw * (ow - 1) + 1],
        axes: [2, 3],
        steps: [sh, sw],
      });
      const claimed = ops.mul(g, unclaimed, ops.cast(g, ops.equal(g, candidate, y), 'float32'));
      const last = i === kh - 1 && j === kw - 1;
      if (!last) unclaimed = ops.sub(g, unclaimed, claimed);
      result.push(ops.reshape(g, claimed, [0, channels, 1, oh, ow]));
    }
  }
  return result;
}

/** Weight [C·K, 1, kh, kw] of the depthwise scatter: input channel c·K + t has a 1 at offset t. */
function oneHotKernels(channels: number, window: Window2d) {
  const [kh, kw] = window.kernel;
  const offsets = kh * kw;
  const data = new Float32Array(channels * offsets * offsets);
  for (let c = 0; c < channels; c++) {
    for (let t = 0; t < offsets; t++) data[(c * offsets + t) * offsets + t] = 1;
  }
  return float32Tensor(data, [channels * offsets, 1, kh, kw]);
}
