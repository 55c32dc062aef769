/** The serve layer's entry (Node-only): the Open Inference Protocol server, its client, Triton export. */
export {
  RemoteClassifier,
  ServerError,
  connect,
  type ConnectOptions,
  type RemoteModelInfo,
  type RemotePredictions,
} from './client.js';
export { modelNameOf } from './served-model.js';
export { InferenceServer, type ModelSource } from './server.js';
export { exportTritonRepository } from './triton/export.js';
export type { ModelMetadata, TensorMetadata } from './protocol.js';
