import { GraphBuilder, writeOnnx, type Graph, type Shape } from '../graph/index.js';
import { buildGradientGraph } from './autodiff/gradient-graph.js';
import { replayGraph } from './autodiff/replay.js';
import { softmaxCrossEntropyLoss, type LossBlock } from './loss/loss-block.js';
import { nextValueName } from './model/batch-norm.js';
import {
  trainableParameters,
  type DropoutMaskSpec,
  type ForwardModel,
  type ParameterSpec,
} from './model/forward-model.js';
import { buildAdamWGraph } from './optimizer/adamw.js';
import { buildSgdGraph } from './optimizer/sgd.js';

/**
 * The optimizer of a training run: SGD with momentum (the recipe's) or AdamW.
 *
 * @example
 * ```ts
 * import type { OptimizerKind } from 'nin-sdk/train';
 * const optimizer: OptimizerKind = 'adamw';
 * ```
 */
export type OptimizerKind = 'sgd' | 'adamw';

export const LOSS_NAME = 'loss';
/** The eval model's prediction output. */
export const LOGITS_NAME = 'logits';

/**
 * How the training artifacts are built: the optimizer, the loss, the opset.
 *
 * @example
 * ```ts
 * import { buildTrainingArtifacts, ninForwardModel, type TrainingArtifactsOptions } from 'nin-sdk/train';
 * import { architectureFromWidths, NIN_CIFAR10 } from 'nin-sdk/train';
 * const architecture = architectureFromWidths(NIN_CIFAR10, [192, 160, 96, 192, 192, 192, 192, 192, 10]);
 * const options: TrainingArtifactsOptions = { optimizer: 'sgd', nesterov: false };
 * const artifacts = buildTrainingArtifacts(ninForwardModel(architecture), options);
 * ```
 */
export interface TrainingArtifactsOptions {
  readonly optimizer: OptimizerKind;
  /** Default: softmax cross-entropy over `labels` [batch, classes]. */
  readonly loss?: LossBlock;
  /** SGD only: Nesterov momentum. */
  readonly nesterov?: boolean;
  readonly opsetVersion?: number;
}

export interface TrainingGraphs {
  /** Parameters, input, dropout masks, labels → loss, `<param>_grad` for every trainable parameter. */
  readonly training: Graph;
  /** Parameters, input, labels → loss, logits (no dropout). */
  readonly eval: Graph;
  /** See buildSgdGraph / buildAdamWGraph: over the trainable parameters. */
  readonly optimizer: Graph;
  /** Every parameter (graph inputs of the training and eval models), in state_dict order. */
  readonly parameters: readonly ParameterSpec[];
  /** Those that get gradients and updates. */
  readonly trainable: readonly ParameterSpec[];
  readonly dropoutMasks: readonly DropoutMaskSpec[];
  readonly inputShape: Shape;
  readonly labelsShape: Shape;
}

/**
 * The ONNX bytes of ONNX Runtime-style on-device training artifacts, plus what a session needs to feed them.
 *
 * @example
 * ```ts
 * import { architectureFromWidths, buildTrainingArtifacts, NIN_CIFAR10, ninForwardModel, type TrainingArtifacts } from 'nin-sdk/train';
 * import { writeFileSync } from 'node:fs';
 * const architecture = architectureFromWidths(NIN_CIFAR10, [192, 160, 96, 192, 192, 192, 192, 192, 10]);
 * const artifacts: TrainingArtifacts = buildTrainingArtifacts(ninForwardModel(architecture), { optimizer: 'adamw' });
 * writeFileSync('training_model.onnx', artifacts.trainingModel);
 * ```
 */
export interface TrainingArtifacts {
  /** training_model.onnx */
  readonly trainingModel: Uint8Array;
  /** eval_model.onnx */
  readonly evalModel: Uint8Array;
  /** optimizer_model.onnx */
  readonly optimizerModel: Uint8Array;
  readonly optimizer: OptimizerKind;
  /** State_dict names, in state_dict order. */
  readonly parameterNames: readonly string[];
  readonly parameters: readonly ParameterSpec[];
  /** Trainable parameter names: the order of `learning_rates` and `weight_decays`. */
  readonly trainableNames: readonly string[];
  readonly dropoutMasks: readonly DropoutMaskSpec[];
  readonly inputShape: Shape;
  readonly labelsShape: Shape;
}

/**
 * The three graphs of a model's training artifacts, as ONNX Runtime's generator makes them from a forward model,
 * the parameters that require gradients, a loss block and an optimizer.
 *
 * Parameters are graph inputs, not initializers, in all three: the TypeScript
 * side owns them (one copy that the optimizer step replaces, that checkpoints
 * save and that loadParametersBuffer overwrites), ONNX Runtime's inference
 * sessions cannot change an initializer after creation, and the artifacts
 * stay small and independent of any checkpoint, so one set serves every
 * training run of the architecture.
 */
export function buildTrainingGraphs(model: ForwardModel, options: TrainingArtifactsOptions): TrainingGraphs {
  const { opsetVersion } = options;
  const lossBlock = options.loss ?? softmaxCrossEntropyLoss;
  const trainable = trainableParameters(model);
  if (trainable.length === 0) throw new RangeError('buildTrainingGraphs: every parameter is frozen');

  const withLoss = (forward: Graph, mode: 'train' | 'eval') => {
    const g = new GraphBuilder({ name: forward.name, opsetVersion: opsetVersion ?? forward.opsetVersion });
    const values = replayGraph(g, forward, { outputs: false });
    const [out, ...rest] = forward.outputs;
    const bufferOutputs = mode === 'train' ? (model.buffers ?? []).map(nextValueName) : [];
    const others = rest.map((o) => o.name);
    if (out === undefined || others.join('\n') !== bufferOutputs.join('\n'))
      throw new RangeError(
        `buildTrainingGraphs: the ${mode} graph should output the prediction` +
          (bufferOutputs.length === 0 ? '' : ` and then ${bufferOutputs.join(', ')}`),
      );
    const prediction = values.get(out.name)!;
    const attached = lossBlock.attach(g, prediction);
    g.output(attached.loss, LOSS_NAME);
    if (mode === 'eval') g.output(prediction, LOGITS_NAME);
    for (const name of bufferOutputs) g.output(values.get(name)!, name);
    return { graph: g.build(), prediction: prediction.name, seed: attached.gradient.name, ...attached };
  };

  const train = withLoss(model.train, 'train');
  const evaluation = withLoss(model.eval, 'eval');
  const training = buildGradientGraph(
    train.graph,
    { wrt: trainable.map((p) => p.name), seed: { value: train.prediction, gradient: train.seed } },
    { name: `${model.train.name.replace(/_train$/, '')}_training`, opsetVersion },
  );
  const optimizer =
    options.optimizer === 'sgd'
      ? buildSgdGraph(trainable, { nesterov: options.nesterov, opsetVersion })
      : buildAdamWGraph(trainable, { opsetVersion });
  return {
    training,
    eval: evaluation.graph,
    optimizer,
    parameters: model.parameters,
    trainable,
    dropoutMasks: model.dropoutMasks,
    inputShape: model.inputShape,
    labelsShape: train.labelsShape,
  };
}

/**
 * A forward model's training artifacts, as ONNX Runtime's generator makes them (training, eval and optimizer
 * models), written as ONNX in standard operators only.
 *
 * @param model - the forward model: train and eval graphs whose parameters are graph inputs
 * @param options - the optimizer, the loss (default softmax cross-entropy), the opset
 * @returns the training, eval and optimizer models' ONNX bytes and what a session feeds them
 * @example
 * ```ts
 * import { buildTrainingArtifacts, ninForwardModel } from 'nin-sdk/train';
 * import { architectureFromWidths, NIN_CIFAR10 } from 'nin-sdk/train';
 * const architecture = architectureFromWidths(NIN_CIFAR10, [192, 160, 96, 192, 192, 192, 192, 192, 10]);
 * const { trainingModel, evalModel, optimizerModel } = buildTrainingArtifacts(ninForwardModel(architecture), { optimizer: 'sgd' });
 * ```
 */
export function buildTrainingArtifacts(model: ForwardModel, options: TrainingArtifactsOptions): TrainingArtifacts {
  if (options.optimizer !== 'sgd' && options.optimizer !== 'adamw') {
    throw new Error(`buildTrainingArtifacts: optimizer should be one of sgd, adamw; got ${String(options.optimizer)}`);
  }
  const graphs = buildTrainingGraphs(model, options);
  const write = (graph: Graph): Uint8Array =>
    writeOnnx(graph, { opsetVersion: options.opsetVersion, producerName: 'nin-sdk' });
  return {
    trainingModel: write(graphs.training),
    evalModel: write(graphs.eval),
    optimizerModel: write(graphs.optimizer),
    optimizer: options.optimizer,
    parameterNames: graphs.parameters.map((p) => p.name),
    parameters: graphs.parameters,
    trainableNames: graphs.trainable.map((p) => p.name),
    dropoutMasks: graphs.dropoutMasks,
    inputShape: graphs.inputShape,
    labelsShape: graphs.labelsShape,
  };
}
