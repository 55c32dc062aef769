import type { Tensor } from 'onnxruntime-common';
import type { OrtWithTensor } from '../../classifier/index.js';
import type { TrainingBatch } from '../data/batch-iterator.js';
import type { ForwardModel } from '../model/forward-model.js';
import { INPUT_NAME, LABELS_NAME } from '../nin/forward.js';

/**
 * A Dropout layer of the training model: its mask input, one image's mask shape, and the drop probability.
 *
 * @example
 * ```ts
 * import { dropoutLayers, type DropoutLayer, type ForwardModel } from 'nin-sdk/train';
 * declare const model: ForwardModel;
 * const layers: DropoutLayer[] = dropoutLayers(model);
 * for (const layer of layers) console.log(layer.name, layer.shape, layer.p);
 * ```
 */
export interface DropoutLayer {
  readonly name: string;
  readonly shape: readonly number[];
  readonly p: number;
}

/**
 * The Dropout layers of a model's training graph. The batch iterator draws their masks from its seeded
 * generator, which is the one mask source of training: a resumed run gets the very same masks.
 * (hashDropoutMask, the stateless alternative, exists for the PyTorch parity fixtures.)
 *
 * @param model - a forward model (or its artifacts' dropout masks)
 * @returns each Dropout's mask input: name, shape without the batch dimension, drop probability
 * @example
 * ```ts
 * import { dropoutLayers, ninForwardModel } from 'nin-sdk/train';
 * import { architectureFromWidths, NIN_CIFAR10 } from 'nin-sdk/train';
 * const architecture = architectureFromWidths(NIN_CIFAR10, [192, 160, 96, 192, 192, 192, 192, 192, 10]);
 * console.log(dropoutLayers(ninForwardModel(architecture)).map((layer) => layer.name)); // ['classifier.7.mask', 'classifier.15.mask']
 * ```
 */
export function dropoutLayers(model: Pick<ForwardModel, 'dropoutMasks'>): DropoutLayer[] {
  return model.dropoutMasks.map((m) => ({
    name: m.name,
    shape: m.shape.slice(1).map((d) => {
      // Only the batch (the first dimension, sliced off) is symbolic.
      if (typeof d !== 'number') throw new Error(`internal: ${m.name} has a symbolic dimension ${d}`);
      return d;
    }),
    p: m.p,
  }));
}

/**
 * A batch as runTrainStep's feeds: input, one-hot labels (smoothed by `labelSmoothing`, the recipe's ε), and the
 * masks the iterator drew for `layers`, in order.
 */
export function trainFeeds(
  ort: OrtWithTensor,
  batch: TrainingBatch,
  layers: readonly DropoutLayer[],
  labelSmoothing = 0,
): Record<string, Tensor> {
  const feeds = evalFeeds(ort, labelSmoothing === 0 ? batch : { ...batch, targets: smoothed(batch, labelSmoothing) });
  layers.forEach((layer, i) => {
    const mask = batch.dropoutMasks[i];
    if (mask === undefined) throw new Error(`internal: the batch has no mask for ${layer.name}`);
    feeds[layer.name] = new ort.Tensor('float32', mask, [batch.size, ...layer.shape]);
  });
  return feeds;
}

/** A batch as runEvalStep's feeds: input and one-hot labels. */
export function evalFeeds(ort: OrtWithTensor, batch: TrainingBatch): Record<string, Tensor> {
  const classes = batch.targets.length / batch.size;
  return {
    [INPUT_NAME]: new ort.Tensor('float32', batch.input, batch.inputDims),
    [LABELS_NAME]: new ort.Tensor('float32', batch.targets, [batch.size, classes]),
  };
}

/** (1 − ε)·one-hot + ε/classes, row by row: F.cross_entropy(label_smoothing=ε)'s targets. */
function smoothed(batch: TrainingBatch, epsilon: number): Float32Array {
  const classes = batch.targets.length / batch.size;
  return batch.targets.map((t) => (1 - epsilon) * t + epsilon / classes);
}
