/**
 * The runtime layer's Node entry: session options for onnxruntime-node, its CUDA provider libraries, and ONNX Runtime
 * in a worker thread (serve's workers, `inWorker`).
 */
export { providerLibraryMissing } from './provider-libraries.js';
export { nodeSessionOptions } from './session-options.js';
export { InferenceWorkerHandle, type RunResult } from './worker/inference-worker-handle.js';
export type { WireTensor, WireValueInfo, WorkerSetup } from './worker/worker-messages.js';
export { openWorkerSession } from './worker/worker-session.js';
export { wireTensorData } from './worker/wire-tensor.js';
