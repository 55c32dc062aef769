/**
 * The classifier layer's entry (browser-safe): a model and its preprocessing → scores. The public `Classifier`
 * interface apart from its implementation, predictions, progress, class maps, window scans.
 */
export { cachedClassify } from './cached-classify.js';
export { checkMapsAverageToLogits, classMapsJson, type ClassMaps } from './class-maps.js';
export type { Classifier, ClassifyOptions } from './classifier-interface.js';
export { OrtClassifier, type OrtWithTensor } from './classifier.js';
export {
  blendMap,
  colourScale,
  formatValue,
  mapRange,
  modelViewBox,
  overlayLayout,
  upsampledMap,
  type OverlayLayout,
} from './overlay.js';
export { predictionsDocument, type ImageOutcome, type PredictionsDocument } from './predictions-json.js';
export { rankClasses, softmaxRow, type Prediction, type Predictions } from './predictions.js';
export type { ProgressCallback, ProgressEvent } from './progress.js';
export { scanWindows, type WindowScan, type WindowScanOptions } from './window-scan.js';
