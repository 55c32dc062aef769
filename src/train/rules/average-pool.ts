import { float32Tensor, ops } from '../../graph/index.js';
import { intAttribute, staticDim, type GradientRule } from '../autodiff/rule.js';
import { poolKernel, window2d, type Window2d } from './window.js';

/**
 * AveragePool: every input cell of a window gets dY / count, where count is
 * the window's divisor. The divisors depend only on the geometry, so they are
 * computed here, at build time, for count_include_pad either way and for
 * asymmetric pads; dY / count is then spread over the windows by a depthwise
 * ConvTranspose with an all-ones kernel.
 */
export const averagePoolGradient: GradientRule = (ctx, dY) => {
  const { g, node } = ctx;
  const x = ctx.input(0);
  const window = window2d(ctx, poolKernel(ctx), x, ctx.output(0));
  const channels = staticDim(node, x, 1, 'depthwise spreading kernel');
  const includePad = intAttribute(node, 'count_include_pad', 0) !== 0;
  const divisors = g.constant(float32Tensor(windowCounts(window, includePad), [1, 1, ...window.outputSize]));
  const [kh, kw] = window.kernel;
  const ones = g.initializer(
    `${node.name}.grad_spread`,
    float32Tensor(new Float32Array(channels * kh * kw).fill(1), [channels, 1, kh, kw]),
  );
  return [
    ops.convTranspose(g, ops.div(g, dY, divisors), ones, undefined, {
      strides: window.strides,
      pads: window.pads,
      outputPadding: window.outputPadding,
      group: channels,
    }),
  ];
};

/** GlobalAveragePool: dX = dY / (H·W), broadcast over H×W. */
export const globalAveragePoolGradient: GradientRule = (ctx, dY) => {
  const { g, node } = ctx;
  const x = ctx.input(0);
  const h = staticDim(node, x, 2, 'divisor');
  const w = staticDim(node, x, 3, 'divisor');
  return [ops.expand(g, ops.div(g, dY, g.constant(float32Tensor([h * w], []))), [1, 1, h, w])];
};

/**
 * ONNX's divisor of each output window: the cells of the window inside the
 * input, plus, with count_include_pad, those in the explicit pads (never
 * beyond them). Rows and columns count independently, so it is a product.
 */
export function windowCounts(window: Window2d, includePad: boolean): Float32Array {
  const axis = (a: 0 | 1): number[] => {
    const size = window.inputSize[a];
    const begin = window.pads[a];
    const end = window.pads[a + 2]!;
    const [low, high] = includePad ? [-begin, size + end] : [0, size];
    return Array.from({ length: window.outputSize[a] }, (_, o) => {
      const start = o * window.strides[a] - begin;
      return Math.min(start + window.kernel[a], high) - Math.max(start, low);
    });
  };
  const rows = axis(0);
  const columns = axis(1);
  return Float32Array.from(rows.flatMap((r) => columns.map((c) => r * c)));
}
