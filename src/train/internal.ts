/**
 * The train layer's surface to the layers above (nin-sdk/web's `fineTune`, the CLI), browser-safe. The public
 * nin-sdk/train is ./index.ts, the core only; this also gives the training loop, checkpoints, data and the fine-tuning
 * plan to those who run them. Node's parts (run folders, datasets from files): ./node/index.ts.
 */
export { averageModels, ninModelOf } from './average.js';
export { specArchitecture } from './checkpoint/forward.js';
export type { TrainingProgress } from './checkpoint/progress.js';
export {
  architectureSpec,
  checkpointArchitecture,
  describeArchitectureSpec,
  initialModelCheckpoint,
  isNinArchitectureSpec,
  type TrainingCheckpoint,
} from './checkpoint/state.js';
export { classBalance, describeNames, plural, type ClassBalance } from './data/class-balance.js';
export { fitPixels } from './data/fit-pixels.js';
export { imageBytes, type ImageDataset } from './data/image-dataset.js';
export { labelIndexByFolder } from './data/label-folders.js';
export { UnknownClassFolderError, foldersAreLabels, relabelDataset } from './data/relabel.js';
export { stratifiedSplit } from './data/subset.js';
export { exportInferenceOnnx } from './export/onnx.js';
export { exportPytorchCheckpoint } from './export/pth.js';
export {
  FREEZE_CHOICES,
  featureParameters,
  fineTuneOptimizer,
  startForClassFolders,
  type FreezeChoice,
} from './fine-tune-plan.js';
export {
  runFineTune,
  type FineTuneBatchProgress,
  type FineTuneEpoch,
  type FineTuneRunResult,
  type FineTuneSettings,
} from './fine-tune-run.js';
export { initialParameters } from './init.js';
export type { Evaluation } from './loop/evaluate.js';
export {
  DEFAULT_BASE_LR,
  DEFAULT_FINE_TUNE_LR,
  INIT_KINDS,
  NIN_CIFAR10_HIDDEN_WIDTHS,
  NIN_CIFAR10_RECIPE,
  SCHEDULE_KINDS,
  type InitKind,
  type ScheduleKind,
  type TrainingRecipe,
} from './loop/recipe.js';
export { initialProgress, runTrainingLoop, type CheckpointReason } from './loop/trainer.js';
export type { ParameterSpec } from './model/forward-model.js';
export { classifierLayer } from './new-classifier.js';
export { architectureFromWidths, describeArchitecture, ninParameters } from './nin/architecture.js';
export { isTrainingCheckpoint, namingSource, startFileKind } from './start-file.js';
export { TrainingSession } from './training-session.js';
export { readTrainingStart, type TrainingStart, type TrainingStartOptions } from './training-start.js';
export type { OptimizerKind } from './artifacts.js';
