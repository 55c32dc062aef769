/**
 * The model layer's entry (browser-safe): an ONNX model nin-sdk loads. The one decoding and its checks
 * (`checkModel`), metadata, model info, class maps, dtypes, typed errors.
 */
export { describeArchitectureSummary, type ArchitectureSummary } from './architecture-summary.js';
export { checkClassifierShapes } from './check-shapes.js';
export {
  CheckedModel,
  NotOnnxError,
  checkModel,
  type CheckedBytes,
  type ModelPolicy,
  type SessionModel,
} from './checked-model.js';
export { withClassMaps } from './class-maps-output.js';
export type { ClassMapsInGraph, MapGeometry } from './class-maps.js';
export { MODEL_DTYPES, parseDtype, type ModelDtype } from './dtype.js';
export { METADATA_KEYS, encodeMetadata, type NinModelMetadata } from './metadata.js';
export { ModelError } from './model-error.js';
export { readCheckedModelInfo, readModelInfo, type ModelInfo } from './model-info.js';
export { IR_OPERATORS } from './operator-allow-list.js';
export { QUANTIZATION_METADATA_KEYS, quantizationMetadata, type CalibrationRecord } from './quantization-metadata.js';
export { summarizeWeights } from './weight-summary.js';
