/**
 * Training on ONNX Runtime's inference builds: reverse-mode autodiff over the
 * graph IR in standard ONNX ops, NIN training/eval/optimizer graphs, and the
 * artifacts laid out like ONNX Runtime's on-device training, the TrainingSession that runs them, its checkpoint
 * format, the training loop and the export of trained weights. Browser-safe (`nin-sdk/train`).
 */
export { NIN_CIFAR10, NIN_IMAGENET } from '../../converters/nin/index.js';
export {
  buildGradientGraph,
  type GradientGraphOptions,
  type GradientRequest,
  type GradientSeed,
} from './autodiff/gradient-graph.js';
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
  describeArchitecture,
  ninParameters,
  type ConvChannels,
  type NinArchitecture,
  type ParameterSpec,
} from './nin/architecture.js';
export {
  BATCH_DIM,
  buildNinTrainingArtifacts,
  buildNinTrainingGraphs,
  INPUT_NAME,
  LABELS_NAME,
  LOGITS_NAME,
  LOSS_NAME,
  ninForwardModel,
  type NinArtifactsOptions,
  type NinForwardOptions,
} from './nin/forward.js';
export { trainableParameters, type DropoutMaskSpec, type ForwardModel } from './model/forward-model.js';
export {
  architectureForwardModel,
  parameterSpecs,
  UntrainableArchitectureError,
  type ArchitectureForwardOptions,
} from './model/architecture-forward.js';
export { softmaxCrossEntropyLoss, type AttachedLoss, type LossBlock } from './loss/loss-block.js';
export { checkpointForwardModel } from './checkpoint/forward.js';
export {
  adamwStepScalars,
  ADAMW_SCALAR_NAMES,
  buildAdamWGraph,
  EXP_AVG,
  EXP_AVG_SQ,
  type AdamWStepScalars,
} from './optimizer/adamw.js';
export { gradientName, LEARNING_RATES_NAME, stateName, updatedName, WEIGHT_DECAYS_NAME } from './optimizer/graph-io.js';
export {
  hyperparameterVectors,
  NIN_CIFAR10_MOMENTUM,
  ninCifar10Groups,
  type HyperparameterVectors,
  type ParameterGroup,
} from './optimizer/parameter-groups.js';
export { buildSgdGraph, MOMENTUM_BUFFER, SGD_MOMENTUM_NAME, type SgdGraphOptions } from './optimizer/sgd.js';
export {
  OPTIMIZER_STATE_KEYS,
  optimizerScalars,
  checkOptimizerSettings,
  type AdamWSettings,
  type OptimizerSettings,
  type SgdSettings,
} from './optimizer/settings.js';
export {
  TrainingSession,
  type EvalStepResult,
  type Feeds,
  type OptimizerStepOptions,
  type TrainingSessionArtifacts,
  type TrainingSessionOptions,
} from './session.js';
export {
  architectureSpec,
  checkpointArchitecture,
  checkpointParameters,
  describeArchitectureSpec,
  initialCheckpoint,
  initialModelCheckpoint,
  isNinArchitectureSpec,
  parameterSlots,
  trainableTensors,
  type ArchitectureSpec,
  type NinArchitectureSpec,
  type RegistryArchitectureSpec,
  type ParameterSlot,
  type TrainingCheckpoint,
} from './checkpoint/state.js';
export {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  decodeTrainingCheckpoint,
  encodeTrainingCheckpoint,
  TrainingCheckpointError,
} from './checkpoint/format.js';
export { checkTrainingProgress, type TrainingProgress } from './checkpoint/progress.js';
export {
  exportInferenceOnnx,
  exportPytorchCheckpoint,
  type InferenceExportOptions,
  type StateDict,
} from './export/index.js';
export { initialParameters, INIT_STREAM } from './init.js';
export { readStartModel, type StartModel } from './start-model.js';
export { averageModels, type NamedModel } from './average.js';
export {
  ADAMW_WEIGHT_DECAY,
  DEFAULT_BASE_LR,
  INIT_KINDS,
  learningRateScale,
  NIN_CIFAR10_RECIPE,
  recipeOptimizer,
  SCHEDULE_KINDS,
  type InitKind,
  type ScheduleKind,
  type TrainingRecipe,
} from './loop/recipe.js';
export { dropoutLayers, evalFeeds, trainFeeds, type DropoutLayer } from './loop/feeds.js';
export { evaluate, TEST_BATCH_SIZE, type Evaluation } from './loop/evaluate.js';
export { pythonFixed, pythonRepr, testLogLine, trainLogLine, type TrainLogLine } from './loop/log-format.js';
export {
  initialProgress,
  runTrainingLoop,
  type CheckpointReason,
  type TrainingLoopOptions,
  type TrainingLoopResult,
} from './loop/trainer.js';
