/**
 * nin-sdk in the browser (`import … from 'nin-sdk/web'`): convert PyTorch Network-in-Network checkpoints to
 * ONNX in the page and classify images with onnxruntime-web, on WebGPU or WebAssembly. Nothing here imports a
 * Node module; serving onnxruntime-web's .wasm/.mjs files and the default model is the page's job (see
 * examples/web/README.md).
 */
export {
  classify,
  loadClassifier,
  type WebClassifier,
  type WebClassifyOptions,
  type WebLoadClassifierOptions,
  type WebProvider,
} from './classify.js';
export { checkpointBytes, convert, type CheckpointSource } from './convert.js';
export { decodeImage, type WebImage } from './decode-image.js';
export { DEFAULT_MODEL_URL, readModelBytes, type WebModelSource } from './model-source.js';
export type { WasmPaths } from './ort-web.js';
export { preprocessImage } from './preprocess.js';
export { detectWebGpu, type WebGpuSupport } from './webgpu-support.js';
export { Classifier, type ClassifyOptions } from '../classifier/classifier.js';
export type { Prediction, Predictions } from '../classifier/predictions.js';
export { ModelError, readModelInfo, type ModelInfo } from '../model/model-info.js';
export type { ProviderAttempt } from '../runtime/open-session.js';
export { PROVIDERS, ProviderError, type Provider } from '../runtime/providers.js';
export { ImageError } from '../preprocess/errors.js';
export { preprocessPixels } from '../preprocess/pipeline.js';
export type { RawPixels } from '../preprocess/pixels.js';
export type { PreprocessSpec } from '../preprocess/spec.js';
export type { PreprocessedImage } from '../preprocess/normalize.js';
export {
  ArchitectureError,
  convertCheckpoint,
  FAMILIES,
  type ConversionResult,
  type ConvertOptions,
  type FamilyId,
} from '../../converters/nin/index.js';
export { CheckpointError } from '../../converters/pth/index.js';
export { NIN_SDK_VERSION } from '../version.js';
