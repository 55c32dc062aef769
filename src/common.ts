/**
 * The platform-neutral part of the public API, which `nin-sdk` (src/index.ts)
 * and `nin-sdk/web` (src/web/index.ts) both re-export: the shared Classifier,
 * providers, model info, the converter and its errors. Nothing here may import
 * a Node module (test/web/browser-safe.test.ts bundles the web entry to check).
 *
 * @packageDocumentation
 */
export type {
  Classifier,
  ClassifyOptions,
  Prediction,
  Predictions,
  ProgressCallback,
  ProgressEvent,
  ClassMaps,
} from './classifier/index.js';
export {
  PROVIDERS,
  ProviderError,
  type Provider,
  type ProviderInfo,
  DEFAULT_DTYPE,
  type ProviderAttempt,
} from './runtime/index.js';
export {
  ModelError,
  readModelInfo,
  type ModelInfo,
  type ArchitectureSummary,
  type NinModelMetadata,
  MODEL_DTYPES,
  type ModelDtype,
  type MapGeometry,
} from './model/index.js';
export {
  type PreprocessSpec,
  ImageError,
  preprocessPixels,
  type RawPixels,
  type PreprocessedImage,
} from './preprocess/index.js';
export type { Architecture, ArchLayer, ArchLayerKind, ArchitectureRemedy } from './architectures/index.js';
export {
  ArchitectureError,
  convertCheckpoint,
  type ConversionResult,
  type ConvertOptions,
  adoptOnnxClassifier,
  type AdoptionResult,
  type AdoptOptions,
} from './convert/index.js';
export {
  CheckpointError,
  readCheckpoint,
  type Checkpoint,
  type CheckpointErrorCode,
  type CheckpointFormat,
  type CheckpointTensor,
  type CheckpointWrapper,
  type ConvertedArrayOf,
  type Dtype,
  type ExtraValue,
  type RawArrayOf,
  type RawCheckpointTensor,
  type ReadCheckpointOptions,
  type TensorOf,
} from './formats/index.js';
export { NIN_SDK_VERSION } from './version.js';
export type { FloatingDtype, IntegerDtype } from './formats/index.js';
export type { ClassMapsInGraph } from './model/index.js';
export type { Platform } from './runtime/index.js';
