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
  defaultModelPath,
  explain,
  type ExplainCallOptions,
  type ExplainedClass,
  type Explanation,
  type ExplainOptions,
  scan,
  type ScanCallOptions,
} from './node/index.js';
export { quantizeModel, type QuantizedModel, type QuantizeModelOptions } from './quantize/node/index.js';
export { preprocessImage, type ImageInput, type PreprocessOptions } from './preprocess/node/index.js';
export {
  connect,
  RemoteClassifier,
  ServerError,
  type ConnectOptions,
  type RemoteModelInfo,
  type RemotePredictions,
} from './serve/client.js';
export type { NodeProvider } from './runtime/index.js';
export { type WindowScan, type WindowScanOptions } from './classifier/index.js';
export type { DecodeOptions } from './preprocess/node/index.js';
export type { CalibrationRecord } from './model/index.js';
export type { ModelMetadata, TensorMetadata } from './serve/client.js';
export type { Datatype, NumericArray } from './runtime/index.js';
