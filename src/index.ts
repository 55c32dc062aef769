/**
 * nin-sdk for Node: convert PyTorch Network-in-Network checkpoints to ONNX and classify images with them on
 * ONNX Runtime (CPU, CUDA or WebGPU).
 *
 * @packageDocumentation
 */
export * from './common.js';
export {
  classify,
  loadClassifier,
  type ClassifyCallOptions,
  type LoadClassifierOptions,
  type NodeClassifier,
} from './node/classify.js';
export { defaultModelPath } from './node/default-model.js';
export { quantizeModel, type QuantizedModel, type QuantizeModelOptions } from './quantize/node/quantize-model.js';
export { preprocessImage, type ImageInput, type PreprocessOptions } from './preprocess/node/index.js';
export {
  connect,
  RemoteClassifier,
  ServerError,
  type ConnectOptions,
  type RemoteModelInfo,
  type RemotePredictions,
} from './serve/client.js';
export type { NodeProvider } from './runtime/providers.js';
export {
  explain,
  type ExplainCallOptions,
  type ExplainedClass,
  type Explanation,
  type ExplainOptions,
} from './node/explain.js';
export { scan, type ScanCallOptions, type WindowScan, type WindowScanOptions } from './node/scan.js';
