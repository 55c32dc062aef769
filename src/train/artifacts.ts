import { writeOnnx, type Graph, type Shape } from '../graph/index.js';
import { buildGradientGraph } from './autodiff/gradient-graph.js';
import type { NinArchitecture, ParameterSpec } from './nin/architecture.js';
import {
  buildNinForward,
  LOGITS_GRADIENT_NAME,
  LOGITS_NAME,
  type DropoutMaskSpec,
  type NinForward,
} from './nin/forward.js';
import { buildAdamWGraph } from './optimizer/adamw.js';
import { buildSgdGraph } from './optimizer/sgd.js';

export type OptimizerKind = 'sgd' | 'adamw';

export interface TrainingArtifactsOptions {
  readonly optimizer: OptimizerKind;
  /** A static batch size, or the symbol of a dynamic one (default 'batch': any batch size runs). */
  readonly batch?: number | string;
  /** Default: the family's (32 for CIFAR-10, 224 for ImageNet). */
  readonly inputSize?: number;
  /** SGD only: Nesterov momentum. */
  readonly nesterov?: boolean;
  readonly opsetVersion?: number;
}

export interface TrainingGraphs {
  /** Parameters, input, labels, dropout masks → loss, `<param>_grad` for every parameter. */
  readonly training: Graph;
  /** Parameters, input, labels → loss, logits (no dropout). */
  readonly eval: Graph;
  /** See buildSgdGraph / buildAdamWGraph. */
  readonly optimizer: Graph;
  readonly parameters: readonly ParameterSpec[];
  readonly dropoutMasks: readonly DropoutMaskSpec[];
  readonly inputShape: Shape;
  readonly labelsShape: Shape;
}

/** The ONNX bytes of ONNX Runtime-style on-device training artifacts, plus what a session needs to feed them. */
export interface TrainingArtifacts {
  /** training_model.onnx */
  readonly trainingModel: Uint8Array;
  /** eval_model.onnx */
  readonly evalModel: Uint8Array;
  /** optimizer_model.onnx */
  readonly optimizerModel: Uint8Array;
  readonly optimizer: OptimizerKind;
  /** State_dict names, in state_dict order: the order of `learning_rates` and `weight_decays` too. */
  readonly parameterNames: readonly string[];
  readonly parameters: readonly ParameterSpec[];
  readonly dropoutMasks: readonly DropoutMaskSpec[];
  readonly inputShape: Shape;
  readonly labelsShape: Shape;
}

/**
 * The three graphs of a NIN's training artifacts.
 *
 * Parameters are graph inputs, not initializers, in all three: the TypeScript
 * side owns them (one copy that the optimizer step replaces, that checkpoints
 * save and that loadParametersBuffer overwrites), ONNX Runtime's inference
 * sessions cannot change an initializer after creation, and the artifacts
 * stay small and independent of any checkpoint, so one set serves every
 * training run of the architecture.
 */
export function buildTrainingGraphs(architecture: NinArchitecture, options: TrainingArtifactsOptions): TrainingGraphs {
  const { batch, inputSize, opsetVersion } = options;
  const train: NinForward = buildNinForward(architecture, { mode: 'train', batch, inputSize, opsetVersion });
  const evaluation = buildNinForward(architecture, { mode: 'eval', batch, inputSize, opsetVersion });
  const training = buildGradientGraph(
    train.graph,
    { wrt: train.parameters.map((p) => p.name), seed: { value: LOGITS_NAME, gradient: LOGITS_GRADIENT_NAME } },
    { name: `nin_${architecture.family.id}_training`, opsetVersion },
  );
  const optimizer =
    options.optimizer === 'sgd'
      ? buildSgdGraph(train.parameters, { nesterov: options.nesterov, opsetVersion })
      : buildAdamWGraph(train.parameters, { opsetVersion });
  return {
    training,
    eval: evaluation.graph,
    optimizer,
    parameters: train.parameters,
    dropoutMasks: train.dropoutMasks,
    inputShape: train.inputShape,
    labelsShape: train.labelsShape,
  };
}

/** {@link buildTrainingGraphs}, written as ONNX. */
export function buildTrainingArtifacts(
  architecture: NinArchitecture,
  options: TrainingArtifactsOptions,
): TrainingArtifacts {
  if (options.optimizer !== 'sgd' && options.optimizer !== 'adamw') {
    throw new Error(`buildTrainingArtifacts: optimizer should be one of sgd, adamw; got ${String(options.optimizer)}`);
  }
  const graphs = buildTrainingGraphs(architecture, options);
  const write = (graph: Graph): Uint8Array =>
    writeOnnx(graph, { opsetVersion: options.opsetVersion, producerName: 'nin-sdk' });
  return {
    trainingModel: write(graphs.training),
    evalModel: write(graphs.eval),
    optimizerModel: write(graphs.optimizer),
    optimizer: options.optimizer,
    parameterNames: graphs.parameters.map((p) => p.name),
    parameters: graphs.parameters,
    dropoutMasks: graphs.dropoutMasks,
    inputShape: graphs.inputShape,
    labelsShape: graphs.labelsShape,
  };
}
