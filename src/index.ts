/**
 * nin-sdk for Node: convert PyTorch Network-in-Network checkpoints to ONNX and classify images with them on
 * ONNX Runtime (CPU, CUDA or WebGPU).
 */
export { classify, loadClassifier, type ClassifyCallOptions, type LoadClassifierOptions, type NodeClassifier } from './node/classify.js';
export { defaultModelPath } from './node/default-model.js';
export { Classifier, type ClassifyOptions } from './classifier/classifier.js';
export type { Prediction, Predictions } from './classifier/predictions.js';
export { PROVIDERS, ProviderError, type Provider } from './runtime/providers.js';
export { ModelError, readModelInfo, type ModelInfo } from './model/model-info.js';
export type { NinModelMetadata } from './model/metadata.js';
export type { PreprocessSpec } from './preprocess/spec.js';
export {
  ArchitectureError,
  convertCheckpoint,
  FAMILIES,
  type ConversionResult,
  type ConvertOptions,
  type FamilyId,
} from '../converters/nin/index.js';
export { CheckpointError, readCheckpoint, type Checkpoint, type CheckpointTensor } from '../converters/pth/index.js';
export { NIN_SDK_VERSION } from './version.js';
