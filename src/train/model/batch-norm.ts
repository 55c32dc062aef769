import type { BatchNormLayer } from '../../architectures/index.js';
import { float32Tensor, ops, type GraphBuilder, type Value } from '../../graph/index.js';

/** nn.BatchNorm2d's default momentum: running = (1 − momentum)·running + momentum·batch. */
export const BATCH_NORM_MOMENTUM = 0.1;

/** The training model's output holding a buffer's value after the step: `<name>.next`. */
export function nextValueName(buffer: string): string {
  return `${buffer}.next`;
}

/** A BatchNorm's tensors as graph inputs, by their state_dict suffixes. */
export interface BatchNormInputs {
  readonly weight: Value;
  readonly bias: Value;
  readonly runningMean: Value;
  readonly runningVar: Value;
}

export interface TrainingBatchNorm {
  readonly output: Value;
  /** The running statistics after this batch, as PyTorch's train-mode forward leaves them. */
  readonly runningMean: Value;
  readonly runningVar: Value;
}

/**
 * nn.BatchNorm2d in train mode on x [N, C, H, W]: normalised by the batch's mean and biased variance over N, H, W
 * (two passes: the variance of the centred values, as PyTorch's CPU kernel, not E[x²] − E[x]², which cancels),
 * then γ·x̂ + β; and the running statistics updated with the unbiased variance. Written in ops that autodiff
 * differentiates (ReduceSum, ReduceSumSquare, Sub, Mul, Div, Sqrt), so the gradient flows through the statistics as PyTorch's does.
 * `count` is N as a float [1] (read from the input's shape when the graph runs: the batch is dynamic).
 */
export function trainingBatchNorm(
  g: GraphBuilder,
  x: Value,
  layer: BatchNormLayer,
  inputs: BatchNormInputs,
  count: Value,
): TrainingBatchNorm {
  const [, channels, height, width] = x.shape;
  if (typeof channels !== 'number' || typeof height !== 'number' || typeof width !== 'number')
    throw new RangeError(
      `BatchNorm ${layer.name}: its input needs static channels and size, got [${x.shape.join(',')}]`,
    );
  const name = layer.name;
  const scalar = (value: number): Value => g.constant(float32Tensor([value], []));
  const perChannel = (v: Value, label: string): Value =>
    ops.reshape(g, v, [1, channels, 1, 1], { name: `${name}.${label}_nchw` });
  const axes = [0, 2, 3];

  const values = ops.mul(g, count, scalar(height * width), { name: `${name}.count` });
  const mean = ops.div(g, ops.reduceSum(g, x, axes, { name: `${name}.sum` }), values, { name: `${name}.mean` });
  const centred = ops.sub(g, x, mean, { name: `${name}.centred` });
  const squares = ops.reduceSumSquare(g, centred, axes, { name: `${name}.square_sum` });
  const variance = ops.div(g, squares, values, { name: `${name}.var` });
  const std = ops.sqrt(g, ops.add(g, variance, scalar(layer.eps)), { name: `${name}.std` });
  const scale = ops.div(g, perChannel(inputs.weight, 'weight'), std, { name: `${name}.scale` });
  const output = ops.add(g, ops.mul(g, centred, scale, { name: `${name}.scaled` }), perChannel(inputs.bias, 'bias'), {
    name: `${name}.bn`,
  });

  const flat = (v: Value, label: string): Value => ops.reshape(g, v, [channels], { name: `${name}.${label}_c` });
  const unbiased = ops.mul(g, flat(variance, 'var'), ops.div(g, values, ops.sub(g, values, scalar(1))), {
    name: `${name}.unbiased_var`,
  });
  const update = (running: Value, batch: Value, label: string): Value =>
    ops.add(g, ops.mul(g, running, scalar(1 - BATCH_NORM_MOMENTUM)), ops.mul(g, batch, scalar(BATCH_NORM_MOMENTUM)), {
      name: `${name}.${label}_next`,
    });
  return {
    output,
    runningMean: update(inputs.runningMean, flat(mean, 'mean'), 'running_mean'),
    runningVar: update(inputs.runningVar, unbiased, 'running_var'),
  };
}

/**
 * A conv followed by an eval-mode BatchNorm as one conv, computed in the graph from the tensors as inputs:
 * W' = W·s, b' = (b − running_mean)·s + β with s = γ / √(running_var + eps), per output channel.
 */
export function foldedConvBatchNorm(
  g: GraphBuilder,
  conv: { readonly weight: Value; readonly bias?: Value },
  layer: BatchNormLayer,
  inputs: BatchNormInputs,
): { weight: Value; bias: Value } {
  const name = layer.name;
  const channels = inputs.weight.shape[0];
  if (typeof channels !== 'number') throw new RangeError(`BatchNorm ${name}: its weight needs a static size`);
  const std = ops.sqrt(g, ops.add(g, inputs.runningVar, g.constant(float32Tensor([layer.eps], []))));
  const scale = ops.div(g, inputs.weight, std, { name: `${name}.fold_scale` });
  const weight = ops.mul(g, conv.weight, ops.reshape(g, scale, [channels, 1, 1, 1]), { name: `${name}.fold_weight` });
  const centred = conv.bias === undefined ? ops.neg(g, inputs.runningMean) : ops.sub(g, conv.bias, inputs.runningMean);
  const bias = ops.add(g, ops.mul(g, centred, scale), inputs.bias, { name: `${name}.fold_bias` });
  return { weight, bias };
}
