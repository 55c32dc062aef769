import { BATCH_DIM, INPUT_NAME } from '../../architectures/index.js';
import {
  buildTrainingArtifacts,
  buildTrainingGraphs,
  LOGITS_NAME,
  LOSS_NAME,
  type TrainingArtifacts,
  type TrainingArtifactsOptions,
  type TrainingGraphs,
} from '../artifacts.js';
import { LABELS_NAME } from '../loss/loss-block.js';
import { architectureForwardModel } from '../model/architecture-forward.js';
import type { ForwardModel } from '../model/forward-model.js';
import { ninLayers, ninParameters, type NinArchitecture } from './architecture.js';

export { BATCH_DIM, INPUT_NAME, LABELS_NAME, LOGITS_NAME, LOSS_NAME };

/**
 * How a NIN's forward graphs are built for training: batch, input size, opset.
 *
 * @example
 * ```ts
 * import { ninForwardModel, type NinArchitecture, type NinForwardOptions } from 'nin-sdk/train';
 * declare const architecture: NinArchitecture;
 * const options: NinForwardOptions = { batch: 128 };
 * const model = ninForwardModel(architecture, options);
 * ```
 */
export interface NinForwardOptions {
  /** A static batch size, or the symbol of a dynamic one (default 'batch'). */
  readonly batch?: number | string;
  /** Default: the family's (32 for CIFAR-10, 224 for ImageNet). */
  readonly inputSize?: number;
  readonly opsetVersion?: number;
}

/**
 * A NIN family's forward model: its registry entry's layers walked by the converter's code, the parameters
 * (ninParameters: each conv's weight and bias under `<container>.<index>`) as graph inputs.
 *
 * The ImageNet family ends in nn.Softmax; training stops before it and
 * applies the softmax cross-entropy to the pre-softmax logits. That is how
 * Caffe trained NIN-ImageNet (SoftmaxWithLoss on the same blob), and a
 * cross-entropy on the Softmax's output would apply softmax twice.
 *
 * @param architecture - the NIN (architectureFromWidths, or a checkpoint's)
 * @param options - batch size, input size, opset
 * @returns its forward model
 * @example
 * ```ts
 * import { ninForwardModel } from 'nin-sdk/train';
 * import { architectureFromWidths, NIN_CIFAR10 } from 'nin-sdk/train';
 * const architecture = architectureFromWidths(NIN_CIFAR10, [192, 160, 96, 192, 192, 192, 192, 192, 10]);
 * const model = ninForwardModel(architecture, { batch: 128 });
 * ```
 */
export function ninForwardModel(architecture: NinArchitecture, options: NinForwardOptions = {}): ForwardModel {
  const { family } = architecture;
  return architectureForwardModel({ ...family, layers: ninLayers(architecture) }, ninParameters(architecture), {
    batch: options.batch,
    inputSize: options.inputSize ?? family.inputSize,
    opsetVersion: options.opsetVersion,
    ...(architecture.batchNorm === true ? { batchNorm: 'batch-statistics' } : {}),
  });
}

export type NinArtifactsOptions = TrainingArtifactsOptions & NinForwardOptions;

/** {@link buildTrainingGraphs} for a NIN. */
export function buildNinTrainingGraphs(architecture: NinArchitecture, options: NinArtifactsOptions): TrainingGraphs {
  return buildTrainingGraphs(ninForwardModel(architecture, options), options);
}

/** {@link buildTrainingArtifacts} for a NIN. */
export function buildNinTrainingArtifacts(
  architecture: NinArchitecture,
  options: NinArtifactsOptions,
): TrainingArtifacts {
  return buildTrainingArtifacts(ninForwardModel(architecture, options), options);
}
