/**
 * The architectures layer's entry (browser-safe): the zoo both the converter and training build on. The
 * `Architecture` type, the registry, recognition from shapes, user JSON, the one layer walk, io names, labels.
 */
export { architectureToJson, parseArchitectureJson, validateArchitecture } from './architecture-json.js';
export { applyArchitectureLayers, type BatchNormLayer, type ConvLayer } from './architecture-walk.js';
export {
  architectureMetadata,
  describeUnreadSettings,
  foldedArchitecture,
  isWeighted,
  type ArchLayer,
  type ArchLayerKind,
  type Architecture,
} from './architecture.js';
export { containerConvention } from './container-conventions.js';
export { ArchitectureError, describeRemedy, type ArchitectureRemedy } from './errors.js';
export { checkShapes, expectedTensors, type Fit } from './fit.js';
export { describeInputChannels } from './input-channels.js';
export { BATCH_DIM, CLASS_MAPS_NAME, INPUT_NAME, LOGITS_NAME, PROBABILITIES_NAME } from './io-names.js';
export { CIFAR10_LABELS } from './labels/small-sets.js';
export { recognizeArchitecture, type ArchitectureMatch, type RecognizeOptions } from './recognize-architecture.js';
export {
  ARCHITECTURES,
  ARCHITECTURE_IDS,
  NIN_CIFAR10,
  NIN_IMAGENET,
  PYTORCH_NIN_IDS,
  architectureById,
} from './registry.js';
export { takenSettings, type GivenSettings } from './taken-settings.js';
