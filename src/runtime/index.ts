/**
 * The runtime layer's entry (browser-safe): ONNX Runtime sessions opened from a checked model, providers and their
 * fallback, what really ran. Node's session options, CUDA libraries and worker threads: ./node/index.ts.
 */
