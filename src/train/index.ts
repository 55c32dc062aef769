/**
 * Training on ONNX Runtime's inference builds: reverse-mode autodiff over the
 * graph IR in standard ONNX ops, NIN training/eval/optimizer graphs, and the
 * artifacts laid out like ONNX Runtime's on-device training. Browser-safe.
 */
export { buildGradientGraph, type GradientGraphOptions, type GradientRequest, type GradientSeed } from './autodiff/gradient-graph.js';
export { GradientError, type GradientContext, type GradientRule } from './autodiff/rule.js';
export { GRADIENT_RULES } from './autodiff/rules.js';
export {
  buildTrainingArtifacts,
  buildTrainingGraphs,
  type OptimizerKind,
  type TrainingArtifacts,
  type TrainingArtifactsOptions,
  type TrainingGraphs,
} from './artifacts.js';
export { hashDropoutMask } from './hash-dropout-mask.js';
export { softmaxCrossEntropy, softmaxCrossEntropyGradient } from './loss/softmax-cross-entropy.js';
export {
  architectureFromWidths,
  classCount,
  ninParameters,
  type ConvChannels,
  type NinArchitecture,
  type ParameterSpec,
} from './nin/architecture.js';
export {
  BATCH_DIM,
  buildNinForward,
  INPUT_NAME,
  LABELS_NAME,
  LOGITS_GRADIENT_NAME,
  LOGITS_NAME,
  LOSS_NAME,
  type DropoutMaskSpec,
  type NinForward,
  type NinForwardOptions,
} from './nin/forward.js';
export { adamwStepScalars, ADAMW_SCALAR_NAMES, buildAdamWGraph, EXP_AVG, EXP_AVG_SQ, type AdamWStepScalars } from './optimizer/adamw.js';
export { gradientName, LEARNING_RATES_NAME, stateName, updatedName, WEIGHT_DECAYS_NAME } from './optimizer/graph-io.js';
export {
  hyperparameterVectors,
  NIN_CIFAR10_MOMENTUM,
  ninCifar10Groups,
  type HyperparameterVectors,
  type ParameterGroup,
} from './optimizer/parameter-groups.js';
export { buildSgdGraph, MOMENTUM_BUFFER, SGD_MOMENTUM_NAME, type SgdGraphOptions } from './optimizer/sgd.js';
