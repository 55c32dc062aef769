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
