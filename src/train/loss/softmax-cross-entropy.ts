import { ops, type GraphBuilder, type Value } from '../../graph/index.js';

type OpOptions = ops.OpOptions;

/**
 * Softmax cross-entropy with float targets: PyTorch's
 * `F.cross_entropy(logits, labels)` with the mean reduction, a scalar.
 * `labels` is [N, classes], one-hot or any rows that sum to 1. There is no
 * OneHot and no LogSoftmax here, because WebGPU/JSEP has neither: log softmax
 * is written z − ReduceLogSumExp(z).
 */
export function softmaxCrossEntropy(g: GraphBuilder, logits: Value, labels: Value, options?: OpOptions): Value {
  const logSumExp = ops.reduceLogSumExp(g, logits, [1], { keepdims: true });
  const perSample = ops.reduceSum(g, ops.mul(g, labels, ops.sub(g, logSumExp, logits)), [1], { keepdims: false });
  return ops.reduceMean(g, perSample, [0], { keepdims: false, ...options });
}

/**
 * dLoss/dLogits of {@link softmaxCrossEntropy}: (Softmax(logits) − labels) / N,
 * in the forward graph, where back-propagation is seeded (see GradientSeed):
 * cheaper and closer to PyTorch than differentiating the loss op by op.
 * N is the sum of `labels` (exact for one-hot rows), which keeps the batch
 * size symbolic without a Shape op.
 */
export function softmaxCrossEntropyGradient(g: GraphBuilder, logits: Value, labels: Value, options?: OpOptions): Value {
  const batchSize = ops.reduceSum(g, labels, undefined, { keepdims: false });
  return ops.div(g, ops.sub(g, ops.softmax(g, logits, 1), labels), batchSize, options);
}
