import type { Graph, Shape } from '../../graph/index.js';

/**
 * A parameter of a forward graph: a graph input, by its PyTorch state_dict name.
 *
 * @example
 * ```ts
 * import type { ParameterSpec } from 'nin-sdk/train';
 * const parameter: ParameterSpec = { name: 'classifier.0.weight', shape: [192, 3, 5, 5] };
 * ```
 */
export interface ParameterSpec {
  readonly name: string;
  readonly shape: readonly number[];
}

/**
 * A Dropout layer's mask input: 1 keeps an element, 0 drops it; the graph scales kept ones by 1/(1 − p).
 *
 * @example
 * ```ts
 * import type { DropoutMaskSpec, ForwardModel } from 'nin-sdk/train';
 * declare const model: ForwardModel;
 * const masks: readonly DropoutMaskSpec[] = model.dropoutMasks;
 * for (const mask of masks) console.log(mask.name, mask.shape);
 * ```
 */
export interface DropoutMaskSpec {
  /** Graph input name, `<layer>.mask`, e.g. `classifier.7.mask`. */
  readonly name: string;
  /** The Dropout's index in its architecture's layer list. */
  readonly layerIndex: number;
  /** [batch, C, H, W], the shape of the activations it masks. */
  readonly shape: Shape;
  readonly p: number;
}

/**
 * A model to train, as ONNX Runtime's artifact generator takes one: forward graphs whose parameters are graph
 * inputs (named and shaped), and which of them are trained. Any architecture that can build these trains; the loss
 * and the optimizer are added by buildTrainingGraphs.
 *
 * @example
 * ```ts
 * import { buildTrainingArtifacts, ninForwardModel, type ForwardModel } from 'nin-sdk/train';
 * import { architectureFromWidths, NIN_CIFAR10 } from 'nin-sdk/train';
 * const architecture = architectureFromWidths(NIN_CIFAR10, [192, 160, 96, 192, 192, 192, 192, 192, 10]);
 * const model: ForwardModel = ninForwardModel(architecture);
 * console.log(model.parameters.length, model.dropoutMasks.length, model.inputShape);
 * const artifacts = buildTrainingArtifacts(model, { optimizer: 'sgd' });
 * ```
 */
export interface ForwardModel {
  /** Training mode: parameters, `input` and the Dropout masks → one output, the prediction (the logits). */
  readonly train: Graph;
  /** Evaluation mode (no Dropout, as PyTorch's model.eval()): parameters and `input` → the prediction. */
  readonly eval: Graph;
  /** Every parameter, in state_dict order: the order of checkpoints and of the optimizer's vectors. */
  readonly parameters: readonly ParameterSpec[];
  /** Parameters fed but not trained (no gradient, no update); default none: ONNX Runtime's frozen_params. */
  readonly frozen?: readonly string[];
  readonly dropoutMasks: readonly DropoutMaskSpec[];
  readonly inputShape: Shape;
  /**
   * Parameters that the training graph computes instead of the optimizer (BatchNorm's running statistics): the
   * train graph outputs each one's value after the step as `<name>.next` (after the prediction), and the session
   * keeps it. They get no gradient. Absent: none.
   */
  readonly buffers?: readonly string[];
}

/** The parameters that get gradients and updates: all but the frozen ones and the buffers, in order. */
export function trainableParameters(model: Pick<ForwardModel, 'parameters' | 'frozen' | 'buffers'>): ParameterSpec[] {
  const frozen = new Set([...(model.frozen ?? []), ...(model.buffers ?? [])]);
  const names = new Set(model.parameters.map((p) => p.name));
  const unknown = [...frozen].filter((name) => !names.has(name));
  if (unknown.length > 0)
    throw new RangeError(`frozen parameters ${unknown.join(', ')} are not parameters of the model`);
  return model.parameters.filter((p) => !frozen.has(p.name));
}
