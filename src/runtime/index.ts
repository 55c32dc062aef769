/**
 * The runtime layer's entry (browser-safe): ONNX Runtime sessions opened from a checked model, providers and their
 * fallback, what really ran. Node's session options, CUDA libraries and worker threads: ./node/index.ts.
 */
export type { ClassifierSession, OpenedClassifierSession } from './classifier-session.js';
export { DATATYPES, datatypeOfOrt, elementCount, isDatatype, type Datatype, type NumericArray } from './datatypes.js';
export { DEFAULT_DTYPE, embeddedModelDtype } from './default-dtype.js';
export {
  createSession,
  openSession,
  type OpenSessionOptions,
  type OrtModule,
  type ProviderAttempt,
} from './open-session.js';
export { OnnxRuntimeError, ortErrorLine } from './ort-error.js';
export {
  PROVIDERS,
  ProviderError,
  parseProviders,
  providersOf,
  requirementOf,
  type NodeProvider,
  type Platform,
  type Provider,
  type ProviderInfo,
  type WebProvider,
} from './providers.js';
