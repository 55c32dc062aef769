/**
 * The platform-neutral part of the public API, which `nin-sdk` (src/index.ts)
 * and `nin-sdk/web` (src/web/index.ts) both re-export: the shared Classifier,
 * providers, model info, the converter and its errors. Nothing here may import
 * a Node module (test/web/browser-safe.test.ts bundles the web entry to check).
 *
 * @packageDocumentation
 */
export type { Classifier, ClassifyOptions } from './classifier/classifier-interface.js';
export type { Prediction, Predictions } from './classifier/predictions.js';
export { PROVIDERS, ProviderError, type Provider, type ProviderInfo } from './runtime/providers.js';
export { ModelError, readModelInfo, type ModelInfo } from './model/model-info.js';
export type { ArchitectureSummary } from './model/architecture-summary.js';
export type { PreprocessSpec } from './preprocess/spec.js';
export type { Architecture, ArchLayer, ArchLayerKind } from './architectures/architecture.js';
export type { ArchitectureRemedy } from './architectures/errors.js';
export { ArchitectureError, convertCheckpoint, type ConversionResult, type ConvertOptions } from './convert/index.js';
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
} from './formats/pth/index.js';
export { NIN_SDK_VERSION } from './version.js';
export type { NinModelMetadata } from './model/metadata.js';
export { MODEL_DTYPES, type ModelDtype } from './model/dtype.js';
export { DEFAULT_DTYPE } from './runtime/default-dtype.js';
export type { ProviderAttempt } from './runtime/open-session.js';
export { ImageError } from './preprocess/errors.js';
export { preprocessPixels } from './preprocess/pipeline.js';
export type { RawPixels } from './preprocess/pixels.js';
export type { PreprocessedImage } from './preprocess/normalize.js';
export type { ProgressCallback, ProgressEvent } from './classifier/progress.js';
export { adoptOnnxClassifier, type AdoptionResult, type AdoptOptions } from './convert/adopt-onnx.js';
export type { ClassMaps, MapGeometry } from './classifier/class-maps.js';
