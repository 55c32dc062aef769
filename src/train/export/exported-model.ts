import { foldedWeights, type Architecture } from '../../convert/index.js';
import type { CheckpointTensor } from '../../formats/index.js';
import {
  checkpointArchitecture,
  checkpointParameters,
  isNinArchitectureSpec,
  type ArchitectureSpec,
  type TrainingCheckpoint,
} from '../checkpoint/state.js';
import { classCount, ninLayers, ninParameters, type NinArchitecture } from '../nin/architecture.js';
import type { StateDict } from './state-dict.js';

/** What a run exports: the architecture as a checkpoint records it, and its weights by state_dict name. */
export interface ExportedModel {
  readonly architecture: ArchitectureSpec;
  readonly parameters: StateDict;
}

/**
 * A checkpoint's model as best.onnx, best.pth and epoch-N.pth hold it. A NIN trained with BatchNorms becomes the
 * family's plain NIN, each BatchNorm folded into the convolution before it with its running statistics (what
 * model.eval() computes), so the file loads into pytorch-nin-cifar10's own nn.Sequential; the fold is the
 * converter's (foldedWeights). Any other checkpoint's model is exported as it is.
 */
export function exportedModel(checkpoint: TrainingCheckpoint): ExportedModel {
  const spec = checkpoint.architecture;
  const parameters = checkpointParameters(checkpoint);
  if (!isNinArchitectureSpec(spec) || spec.batchNorm !== true) return { architecture: spec, parameters };
  const trained = checkpointArchitecture(spec);
  const plain: NinArchitecture = { family: trained.family, convs: trained.convs };
  const specs = ninParameters(trained);
  const names = specs.map((p) => p.name);
  const architecture: Architecture = { ...trained.family, layers: ninLayers(trained) };
  const tensors = new Map<string, CheckpointTensor>(
    [...parameters].map(([name, t]) => [name, { dtype: 'float32', shape: t.shape, data: t.data }]),
  );
  const fit = {
    architecture,
    keyOf: new Map(names.map((name) => [name, name])),
    classCount: classCount(trained),
    parameterCount: specs.reduce((sum, p) => sum + p.shape.reduce((a, b) => a * b, 1), 0),
  };
  const folded = foldedWeights(fit, tensors);
  return {
    architecture: { family: spec.family, widths: spec.widths },
    // In the plain NIN's state_dict order, which foldedWeights' layer walk already follows.
    parameters: new Map(ninParameters(plain).map((p) => [p.name, folded.get(p.name)!])),
  };
}
