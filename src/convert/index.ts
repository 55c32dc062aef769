export { convertCheckpoint, type ConversionResult, type ConvertOptions } from './convert.js';
export { SUPPORTED_OPSETS } from './opsets.js';
export {
  ArchitectureError,
  describeRemedy,
  type ArchitectureRemedy,
  CIFAR10_LABELS,
  BATCH_DIM,
  INPUT_NAME,
  LOGITS_NAME,
  PROBABILITIES_NAME,
  type ArchLayer,
  type ArchLayerKind,
  type Architecture,
  ARCHITECTURES,
  ARCHITECTURE_IDS,
  architectureById,
  NIN_CIFAR10,
  NIN_IMAGENET,
  PYTORCH_NIN_IDS,
  recognizeArchitecture,
  type ArchitectureMatch,
  type RecognizeOptions,
  architectureToJson,
  parseArchitectureJson,
  validateArchitecture,
  architectureMetadata,
  describeUnreadSettings,
  foldedArchitecture,
} from '../architectures/index.js';
export { buildArchitectureGraph, buildTrainedGraph, foldedWeights } from './build-graph.js';
export { conversionReading, type ConversionReading } from './conversion-reading.js';
export {
  readCheckpointModel,
  readingLines,
  type CheckpointReading,
  type CheckpointReadingOptions,
} from './checkpoint-reading.js';
export { adoptOnnxClassifier, type AdoptOptions, type AdoptionResult } from './adopt-onnx.js';
export { usedArchitectureJson } from './used-architecture.js';
