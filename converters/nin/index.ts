export { convertCheckpoint, SUPPORTED_OPSETS, type ConversionResult, type ConvertOptions } from './convert.js';
export { ArchitectureError, describeRemedy, type ArchitectureRemedy } from './errors.js';
export { CIFAR10_LABELS, FAMILIES, FAMILY_IDS, NIN_CIFAR10, NIN_IMAGENET } from './families.js';
export { recognize, type Recognition } from './recognize.js';
export type { FamilyId, FamilySpec, LayerSpec } from './spec.js';
export { buildNinGraph, INPUT_NAME, LOGITS_NAME, PROBABILITIES_NAME } from './build-graph.js';
