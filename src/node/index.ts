/** The node layer's entry: the Node API's helpers (classify from files, the embedded model, explain, scans). */
export {
  classify,
  loadClassifier,
  type ClassifyCallOptions,
  type LoadClassifierOptions,
  type NodeClassifier,
} from './classify.js';
export { DEFAULT_MODEL_FILE, defaultModelPath } from './default-model.js';
export {
  explain,
  explainWith,
  type ExplainCallOptions,
  type ExplainOptions,
  type ExplainedClass,
  type Explanation,
} from './explain.js';
export { scan, scanWith, type ScanCallOptions } from './scan.js';
