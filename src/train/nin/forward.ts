import { BATCH_DIM, INPUT_NAME, LOGITS_NAME } from '../../../converters/nin/io-names.js';
import { applyNinLayers } from '../../../converters/nin/layer-walk.js';
import { float32Tensor, GraphBuilder, ops, type Graph, type Shape, type Value } from '../../graph/index.js';
import { softmaxCrossEntropy, softmaxCrossEntropyGradient } from '../loss/softmax-cross-entropy.js';
import { classCount, ninParameters, type NinArchitecture, type ParameterSpec } from './architecture.js';

export { BATCH_DIM, INPUT_NAME, LOGITS_NAME };
export const LABELS_NAME = 'labels';
export const LOSS_NAME = 'loss';
/** The forward value that holds dLoss/dLogits (see softmaxCrossEntropy), where back-propagation starts. */
export const LOGITS_GRADIENT_NAME = 'logits_grad_seed';

/** A Dropout layer's mask input: 1 keeps an element, 0 drops it; the graph scales kept ones by 1/(1 − p). */
export interface DropoutMaskSpec {
  /** Graph input name, `<container>.<index>.mask`, e.g. `classifier.7.mask`. */
  readonly name: string;
  readonly layerIndex: number;
  /** [batch, C, H, W], the shape of the activations it masks. */
  readonly shape: Shape;
  readonly p: number;
}

export interface NinForwardOptions {
  /** 'train' applies dropout through mask inputs; 'eval' leaves dropout out, as PyTorch's model.eval() does. */
  readonly mode: 'train' | 'eval';
  /** A static batch size, or the symbol of a dynamic one (default 'batch'). */
  readonly batch?: number | string;
  /** Default: the family's (32 for CIFAR-10, 224 for ImageNet). */
  readonly inputSize?: number;
  readonly opsetVersion?: number;
}

export interface NinForward {
  /**
   * Inputs: parameters, input, labels (and masks in train mode). Outputs: loss,
   * and logits in eval mode; in train mode, the value LOGITS_GRADIENT_NAME
   * (not an output) holds dLoss/dLogits for buildGradientGraph.
   */
  readonly graph: Graph;
  readonly parameters: readonly ParameterSpec[];
  readonly dropoutMasks: readonly DropoutMaskSpec[];
  readonly inputShape: Shape;
  readonly labelsShape: Shape;
}

/**
 * The forward pass of a NIN with its loss, parameters as graph inputs.
 *
 * The ImageNet family ends in nn.Softmax; training stops before it and
 * applies the softmax cross-entropy to the pre-softmax logits. That is how
 * Caffe trained NIN-ImageNet (SoftmaxWithLoss on the same blob), and a
 * cross-entropy on the Softmax's output would apply softmax twice.
 */
export function buildNinForward(architecture: NinArchitecture, options: NinForwardOptions): NinForward {
  const { family } = architecture;
  const batch = options.batch ?? BATCH_DIM;
  const size = options.inputSize ?? family.inputSize;
  const g = new GraphBuilder({ name: `nin_${family.id}_${options.mode}`, opsetVersion: options.opsetVersion });
  const parameters = ninParameters(architecture);
  const params = new Map(parameters.map((p) => [p.name, g.input(p.name, 'float32', p.shape)]));
  const inputShape: Shape = [batch, 3, size, size];
  const labelsShape: Shape = [batch, classCount(architecture)];
  const input = g.input(INPUT_NAME, 'float32', inputShape);
  const labels = g.input(LABELS_NAME, 'float32', labelsShape);
  const dropoutMasks: DropoutMaskSpec[] = [];

  // The family's closing Softmax, if any, is left to the loss: see above.
  const x = applyNinLayers(g, family, input, {
    convParameters: (name) => ({ weight: params.get(`${name}.weight`)!, bias: params.get(`${name}.bias`)! }),
    dropout: (activations, layer, name, index) => {
      if (options.mode === 'eval') return activations;
      const mask = { name: `${name}.mask`, layerIndex: index, shape: activations.shape, p: layer.p };
      dropoutMasks.push(mask);
      return dropout(g, activations, g.input(mask.name, 'float32', mask.shape), layer.p, name);
    },
  });

  const logits = ops.flatten(g, x, 1, { name: LOGITS_NAME });
  if (logits.shape[1] !== labelsShape[1]) {
    throw new Error(
      `${family.title} at input ${size} ends in a ${String(x.shape[2])}×${String(x.shape[3])} map, not 1×1`,
    );
  }
  g.output(softmaxCrossEntropy(g, logits, labels, { name: LOSS_NAME }), LOSS_NAME);
  if (options.mode === 'eval') g.output(logits, LOGITS_NAME);
  else softmaxCrossEntropyGradient(g, logits, labels, { name: LOGITS_GRADIENT_NAME });
  return { graph: g.build(), parameters, dropoutMasks, inputShape, labelsShape };
}

/**
 * x · (M / (1 − p)): PyTorch's dropout with its random mask M made explicit,
 * so the TypeScript side chooses (and can replay) every mask.
 */
function dropout(g: GraphBuilder, x: Value, mask: Value, p: number, name: string): Value {
  const scaled = ops.div(g, mask, g.constant(float32Tensor([1 - p], [])));
  return ops.mul(g, x, scaled, { name: `${name}.dropout` });
}
