/**
 * nin-sdk/train: training on ONNX Runtime's inference builds, browser-safe. Reverse-mode autodiff over the graph IR
 * in standard ONNX ops makes ONNX Runtime-style training artifacts for any forward model (parameters as graph inputs,
 * a loss block, an optimizer); a NIN trained from scratch and a converted checkpoint fine-tuned are two callers. The
 * TrainingSession runs them; checkpoints are keyed by parameter names and shapes; trained weights export to the
 * converter's ONNX and to PyTorch. The rest (autodiff rules, optimizer graphs, the training loop) is internal.
 *
 * @packageDocumentation
 */

// Artifacts for any forward model, as ONNX Runtime's generator makes them.
export { buildTrainingArtifacts, type TrainingArtifacts, type TrainingArtifactsOptions } from './artifacts.js';
export type { ForwardModel } from './model/forward-model.js';
export { softmaxCrossEntropyLoss, type LossBlock } from './loss/loss-block.js';

// A NIN from scratch.
export { NIN_CIFAR10, NIN_IMAGENET } from '../convert/index.js';
export { architectureFromWidths, type NinArchitecture } from './nin/architecture.js';
export { ninForwardModel } from './nin/forward.js';
export { initialParameters } from './init.js';
export { recipeOptimizer } from './loop/recipe.js';

// Fine-tuning any checkpoint the converter recognises, to its own classes or to new ones.
export { fineTuneForwardModel, fineTuneStart, type FineTuneStart } from './fine-tune.js';
export { readTrainingStart, type TrainingStart, type TrainingStartOptions } from './training-start.js';
export { withNewClassifier } from './new-classifier.js';

// Running: the session, its checkpoints, the Dropout masks it is fed.
export { TrainingSession, type TrainingSessionArtifacts, type TrainingSessionOptions } from './training-session.js';
export { initialCheckpoint, initialModelCheckpoint, type TrainingCheckpoint } from './checkpoint/state.js';
export { decodeTrainingCheckpoint, encodeTrainingCheckpoint } from './checkpoint/format.js';
export type { OptimizerSettings } from './optimizer/settings.js';
export { dropoutLayers } from './loop/feeds.js';

// Trained weights out.
export { exportInferenceOnnx, exportPytorchCheckpoint, exportTrainedOnnx } from './export/index.js';

// The types that the signatures above name.
export type { OptimizerKind } from './artifacts.js';
export type { ArchitectureForwardOptions } from './model/architecture-forward.js';
export type { DropoutMaskSpec, ParameterSpec } from './model/forward-model.js';
export type { AttachedLoss } from './loss/loss-block.js';
export type { ConvChannels } from './nin/architecture.js';
export type { NinForwardOptions } from './nin/forward.js';
export type { InitKind, ScheduleKind, TrainingRecipe } from './loop/recipe.js';
export type {
  ArchitectureSpec,
  CustomArchitectureSpec,
  NinArchitectureSpec,
  RegistryArchitectureSpec,
} from './checkpoint/state.js';
export type { TrainingProgress } from './checkpoint/progress.js';
export type { AdamWSettings, SgdSettings } from './optimizer/settings.js';
export type { ParameterGroup } from './optimizer/parameter-groups.js';
export type { EvalStepResult, Feeds, OptimizerStepOptions, TrainingSessionFactory } from './training-session.js';
export type { InferenceExportOptions, StateDict } from './export/index.js';
// GraphBuilder as a type: a LossBlock is given one; building graphs is not part of nin-sdk/train's values.
export type {
  GraphBuilder,
  Attribute,
  Attributes,
  DataType,
  Dim,
  Graph,
  GraphBuilderOptions,
  Initializer,
  Node,
  NodeOptions,
  Shape,
  TensorData,
  TensorDataMap,
  TensorType,
  Value,
} from '../graph/index.js';
export type { ArchLayer, ArchLayerKind, Architecture, RecognizeOptions } from '../architectures/index.js';
export type {
  CheckpointTensor,
  ConvertedArrayOf,
  Dtype,
  FloatingDtype,
  IntegerDtype,
  RawArrayOf,
  TensorOf,
} from '../formats/index.js';
export type { RandomState } from '../numeric/index.js';
export type { DropoutLayer } from './loop/feeds.js';
export type { BatchIteratorState } from './data/batch-iterator-state.js';
export type { OrtModule, Platform, Provider, ProviderAttempt } from '../runtime/index.js';
export type { OrtWithTensor } from '../classifier/index.js';
export type { PreprocessSpec } from '../preprocess/index.js';
