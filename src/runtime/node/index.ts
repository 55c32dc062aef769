/**
 * The runtime layer's Node entry: session options for onnxruntime-node, its CUDA provider libraries, and ONNX Runtime
 * in a worker thread (serve's workers, `inWorker`).
 */
