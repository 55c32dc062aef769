import type { GraphBuilder, Shape, Value } from '../../graph/index.js';
import { softmaxCrossEntropy, softmaxCrossEntropyGradient } from './softmax-cross-entropy.js';

export const LABELS_NAME = 'labels';

/**
 * What a loss block adds to a graph: the scalar loss and the forward value holding dLoss/dPrediction.
 *
 * @example
 * ```ts
 * import { softmaxCrossEntropyLoss, type AttachedLoss, type GraphBuilder, type Value } from 'nin-sdk/train';
 * declare const g: GraphBuilder;
 * declare const logits: Value;
 * const attached: AttachedLoss = softmaxCrossEntropyLoss.attach(g, logits);
 * console.log(attached.loss.name, attached.gradient.shape);
 * ```
 */
export interface AttachedLoss {
  readonly loss: Value;
  /** Where back-propagation starts (see GradientSeed): the loss supplies its own analytic gradient. */
  readonly gradient: Value;
  /** The shape of the targets input it added. */
  readonly labelsShape: Shape;
}

/**
 * A loss, as ONNX Runtime's artifact generator's loss blocks: appended to a forward graph's prediction.
 *
 * @example
 * ```ts
 * import { buildTrainingArtifacts, ninForwardModel, softmaxCrossEntropyLoss, type LossBlock } from 'nin-sdk/train';
 * import { architectureFromWidths, NIN_CIFAR10 } from 'nin-sdk/train';
 * const architecture = architectureFromWidths(NIN_CIFAR10, [192, 160, 96, 192, 192, 192, 192, 192, 10]);
 * const loss: LossBlock = softmaxCrossEntropyLoss;
 * const artifacts = buildTrainingArtifacts(ninForwardModel(architecture), { optimizer: 'sgd', loss });
 * ```
 */
export interface LossBlock {
  /** Adds the loss's own inputs (the targets) and nodes to `g`, after `prediction`. */
  attach(g: GraphBuilder, prediction: Value): AttachedLoss;
}

/**
 * PyTorch's `F.cross_entropy(logits, labels)` (mean) with float targets fed as `labels` [batch, classes], one-hot or
 * rows that sum to 1; its gradient seed is (Softmax(logits) − labels) / N.
 *
 * @example
 * ```ts
 * import { buildTrainingArtifacts, ninForwardModel, softmaxCrossEntropyLoss } from 'nin-sdk/train';
 * import { architectureFromWidths, NIN_CIFAR10 } from 'nin-sdk/train';
 * const architecture = architectureFromWidths(NIN_CIFAR10, [192, 160, 96, 192, 192, 192, 192, 192, 10]);
 * const { labelsShape } = buildTrainingArtifacts(ninForwardModel(architecture), { optimizer: 'sgd', loss: softmaxCrossEntropyLoss });
 * ```
 */
export const softmaxCrossEntropyLoss: LossBlock = {
  attach(g, prediction) {
    if (prediction.shape.length !== 2)
      throw new RangeError(`softmax cross-entropy needs [batch, classes] logits, got [${prediction.shape.join(', ')}]`);
    const labelsShape: Shape = prediction.shape;
    const labels = g.input(LABELS_NAME, 'float32', labelsShape);
    return {
      loss: softmaxCrossEntropy(g, prediction, labels),
      gradient: softmaxCrossEntropyGradient(g, prediction, labels, { name: 'logits_grad_seed' }),
      labelsShape,
    };
  },
};
