import { type GraphBuilder, ops, formatType, isStaticDim, type Value } from '../../graph/index.js';
import { pytorchPool2dPads, type Pool2dPads } from './pooling-sizes.js';

type Pair = number | readonly [number, number];

/** nn.MaxPool2d / nn.AvgPool2d's parameters, with PyTorch's defaults. */
export interface PytorchPool2dOptions extends ops.OpOptions {
  readonly kernel: Pair;
  /** PyTorch's default: the kernel size. */
  readonly stride?: Pair;
  readonly padding?: Pair;
  readonly ceilMode?: boolean;
}

export interface PytorchAvgPool2dOptions extends PytorchPool2dOptions {
  /** PyTorch's default: true. */
  readonly countIncludePad?: boolean;
}

/**
 * nn.MaxPool2d as ONNX MaxPool with explicit (possibly asymmetric) pads and
 * no ceil_mode, giving PyTorch's output size. Needs static H and W.
 */
export function pytorchMaxPool2d(g: GraphBuilder, x: Value, options: PytorchPool2dOptions): Value {
  const { pads } = poolPads('pytorchMaxPool2d', x, options);
  return ops.maxPool(g, x, {
    kernelShape: options.kernel,
    strides: options.stride ?? options.kernel,
    pads,
    ...ops.nameOption(options),
  });
}

/**
 * nn.AvgPool2d with PyTorch's divisors. When ceil_mode adds end padding that
 * PyTorch would not count but count_include_pad would (see
 * pooling-sizes.ts), PyTorch's own padding is made real with a zero Pad and
 * the pool runs with count_include_pad=0 over the extra cells only.
 */
export function pytorchAvgPool2d(g: GraphBuilder, x: Value, options: PytorchAvgPool2dOptions): Value {
  const countIncludePad = options.countIncludePad ?? true;
  const { pads, extraEnd } = poolPads('pytorchAvgPool2d', x, options);
  const window = { kernelShape: options.kernel, strides: options.stride ?? options.kernel };
  const extra = extraEnd[0] > 0 || extraEnd[1] > 0;
  if (!countIncludePad || !extra)
    return ops.averagePool(g, x, { ...window, pads, countIncludePad, ...ops.nameOption(options) });
  const [top, left] = pads;
  if (top === 0 && left === 0) {
    // No padding of PyTorch's own: excluding every pad cell divides exactly as PyTorch does.
    return ops.averagePool(g, x, { ...window, pads, countIncludePad: false, ...ops.nameOption(options) });
  }
  return g.atomically(() => {
    const padded = ops.pad(g, x, [0, 0, top, left, 0, 0, top, left]);
    return ops.averagePool(g, padded, {
      ...window,
      pads: [0, 0, extraEnd[0], extraEnd[1]],
      countIncludePad: false,
      ...ops.nameOption(options),
    });
  });
}

function poolPads(op: string, x: Value, options: PytorchPool2dOptions): Pool2dPads {
  const [, , h, w] = x.shape;
  if (x.shape.length !== 4 || h === undefined || w === undefined || !isStaticDim(h) || !isStaticDim(w)) {
    throw new Error(`${op}: input must be NCHW with static H and W, got ${formatType(x)}`);
  }
  return pytorchPool2dPads({
    inputSize: [h, w],
    kernel: options.kernel,
    stride: options.stride ?? options.kernel,
    padding: options.padding ?? 0,
    ceilMode: options.ceilMode ?? false,
  });
}
