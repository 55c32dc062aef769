export { convertCheckpoint, SUPPORTED_OPSETS, type ConversionResult, type ConvertOptions } from './convert.js';
export { ArchitectureError, describeRemedy, type ArchitectureRemedy } from '../architectures/errors.js';
export { CIFAR10_LABELS } from '../architectures/labels/small-sets.js';
export { buildArchitectureGraph, buildTrainedGraph, foldedWeights } from './build-graph.js';
export { BATCH_DIM, INPUT_NAME, LOGITS_NAME, PROBABILITIES_NAME } from '../architectures/io-names.js';
export type { ArchLayer, ArchLayerKind, Architecture } from '../architectures/architecture.js';
export {
  ARCHITECTURES,
  ARCHITECTURE_IDS,
  architectureById,
  NIN_CIFAR10,
  NIN_IMAGENET,
  PYTORCH_NIN_IDS,
} from '../architectures/registry.js';
export {
  recognizeArchitecture,
  type ArchitectureMatch,
  type RecognizeOptions,
} from '../architectures/recognize-architecture.js';
export { architectureToJson, parseArchitectureJson, validateArchitecture } from '../architectures/architecture-json.js';
export { architectureMetadata, describeUnreadSettings, foldedArchitecture } from '../architectures/architecture.js';
export { conversionReading, type ConversionReading } from './conversion-reading.js';
export {
  readCheckpointModel,
  readingLines,
  type CheckpointReading,
  type CheckpointReadingOptions,
} from './checkpoint-reading.js';
