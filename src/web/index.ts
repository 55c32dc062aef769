/**
 * nin-sdk in the browser (`import … from 'nin-sdk/web'`): convert PyTorch Network-in-Network checkpoints to
 * ONNX in the page and classify images with onnxruntime-web, on WebGPU or WebAssembly. Nothing here imports a
 * Node module; serving onnxruntime-web's .wasm/.mjs files and the default model is the page's job (see
 * examples/web/README.md).
 *
 * @packageDocumentation
 */
export * from '../common.js';
export {
  classify,
  loadClassifier,
  type WebClassifier,
  type WebClassifyOptions,
  type WebLoadClassifierOptions,
} from './classify.js';
export type { WebProvider } from '../runtime/index.js';
export { checkpointBytes, convert, type CheckpointSource } from './convert.js';
export { explain, type WebExplainOptions, type WebExplanation } from './explain.js';
export {
  fineTune,
  WEB_FINE_TUNE_BATCH_SIZE,
  WEB_FINE_TUNE_EPOCHS,
  type WebFineTuneOptions,
  type WebFineTuneResult,
  type WebTrainingImage,
} from './fine-tune.js';
export { classFolderImages, type ClassFolderImages } from './class-folders.js';
export type { FineTuneBatchProgress, FineTuneEpoch, FineTuneSettings, FreezeChoice } from '../train/internal.js';
export { checkImageFile, decodeImage, type WebDecodeOptions, type WebImage } from './decode-image.js';
export type { ImageFormat, ImageHeader } from '../preprocess/index.js';
export {
  DEFAULT_MODEL_URL,
  readModelBytes,
  type ModelBytes,
  type WebModelSource,
  DEFAULT_INT8_MODEL_URL,
  defaultModelUrl,
} from './model-source.js';
export type { WasmPaths } from './ort-web.js';
export { preprocessImage } from './preprocess.js';
export { detectWebGpu, type WebGpuSupport } from './webgpu-support.js';
export type { Evaluation, FineTuneRunResult, OptimizerKind, ScheduleKind } from '../train/internal.js';
export type { ClassBalance } from '../train/internal.js';
