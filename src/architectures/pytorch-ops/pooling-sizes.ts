/**
 * PyTorch's pooling sizes, and the explicit ONNX pads that reproduce them.
 *
 * ONNX Runtime's WebGPU pools reject ceil_mode=1, so PyTorch's ceil_mode is
 * written as floor-mode pooling with a larger end pad. The sizes follow
 * PyTorch's `pooling_output_shape` (aten/src/ATen/native/Pool.h), not the
 * textbook formula: with ceil_mode, a last window that would start inside the
 * right padding is dropped.
 */

export interface PytorchPoolAxis {
  readonly inputSize: number;
  readonly kernel: number;
  readonly stride: number;
  /** PyTorch's symmetric `padding`. */
  readonly padding: number;
  readonly ceilMode: boolean;
  readonly dilation?: number;
}

export interface PoolAxisPads {
  /** PyTorch's output size along this axis. */
  readonly outputSize: number;
  /** ONNX begin pad: PyTorch's padding. */
  readonly padBegin: number;
  /** ONNX end pad: PyTorch's padding plus `extraEnd`. */
  readonly padEnd: number;
  /**
   * End padding added beyond PyTorch's own to make floor mode reach the ceil
   * size. Max pooling ignores it (pads never win a max), and so does average
   * pooling with count_include_pad=false. With count_include_pad=true it is
   * NOT neutral: PyTorch divides the last window by the cells up to
   * input + padding only, while ONNX would also count these extra cells. When
   * this is > 0 and PyTorch counts padding, the caller must correct it, e.g.
   * by zero-padding `padding` explicitly with a Pad node and then pooling
   * with pads [0, extraEnd] and count_include_pad=0, which divides exactly as
   * PyTorch does.
   */
  readonly extraEnd: number;
}

/** PyTorch's output size for one axis: floor or ceil of (in + 2p − d(k−1) − 1) / s, plus 1. */
export function pytorchPoolOutputSize(axis: PytorchPoolAxis): number {
  const { inputSize, kernel, stride, padding, ceilMode } = axis;
  const dilation = axis.dilation ?? 1;
  checkAxis(axis, dilation);
  const span = inputSize + 2 * padding - dilation * (kernel - 1) - 1;
  let out = Math.floor((span + (ceilMode ? stride - 1 : 0)) / stride) + 1;
  // PyTorch: "ensure that the last pooling starts inside the image".
  if (ceilMode && (out - 1) * stride >= inputSize + padding) out -= 1;
  if (out < 1) {
    throw new Error(
      `pytorchPool: input size ${inputSize} with padding ${padding} is smaller than the kernel ${kernel}`,
    );
  }
  return out;
}

/** PyTorch's size and the ONNX [begin, end] pads that give it in floor mode. */
export function pytorchPoolAxisPads(axis: PytorchPoolAxis): PoolAxisPads {
  const outputSize = pytorchPoolOutputSize(axis);
  const extent = (axis.dilation ?? 1) * (axis.kernel - 1) + 1;
  // Smallest end pad for which floor((in + p + end − extent) / s) + 1 reaches outputSize.
  const extraEnd = Math.max(0, (outputSize - 1) * axis.stride + extent - axis.inputSize - 2 * axis.padding);
  return { outputSize, padBegin: axis.padding, padEnd: axis.padding + extraEnd, extraEnd };
}

export interface PytorchPool2d {
  /** [H, W] */
  readonly inputSize: readonly [number, number];
  readonly kernel: number | readonly [number, number];
  /** PyTorch's default stride is the kernel size; pass it explicitly. */
  readonly stride: number | readonly [number, number];
  readonly padding?: number | readonly [number, number];
  readonly ceilMode: boolean;
}

export interface Pool2dPads {
  readonly outputSize: readonly [number, number];
  /** ONNX order [top, left, bottom, right], ready for maxPool/averagePool `pads`. */
  readonly pads: readonly [number, number, number, number];
  /** Extra end pad per axis [H, W]; see {@link PoolAxisPads.extraEnd}. */
  readonly extraEnd: readonly [number, number];
}

/** The 2-D convenience over {@link pytorchPoolAxisPads}. */
export function pytorchPool2dPads(options: PytorchPool2d): Pool2dPads {
  const pair = (v: number | readonly [number, number]): readonly [number, number] =>
    typeof v === 'number' ? [v, v] : v;
  const kernel = pair(options.kernel);
  const stride = pair(options.stride);
  const padding = pair(options.padding ?? 0);
  const [h, w] = [0, 1].map((i) =>
    pytorchPoolAxisPads({
      inputSize: options.inputSize[i]!,
      kernel: kernel[i]!,
      stride: stride[i]!,
      padding: padding[i]!,
      ceilMode: options.ceilMode,
    }),
  ) as [PoolAxisPads, PoolAxisPads];
  return {
    outputSize: [h.outputSize, w.outputSize],
    pads: [h.padBegin, w.padBegin, h.padEnd, w.padEnd],
    extraEnd: [h.extraEnd, w.extraEnd],
  };
}

function checkAxis(axis: PytorchPoolAxis, dilation: number): void {
  const { inputSize, kernel, stride, padding } = axis;
  for (const [name, v, min] of [
    ['inputSize', inputSize, 1],
    ['kernel', kernel, 1],
    ['stride', stride, 1],
    ['padding', padding, 0],
    ['dilation', dilation, 1],
  ] as const) {
    if (!Number.isInteger(v) || v < min) throw new Error(`pytorchPool: ${name} must be an integer ≥ ${min}, got ${v}`);
  }
  // The same check PyTorch makes ("pad should be at most half of effective kernel size").
  if (padding * 2 > dilation * (kernel - 1) + 1) {
    throw new Error(`pytorchPool: padding ${padding} is more than half of the kernel ${kernel}, which PyTorch refuses`);
  }
}
