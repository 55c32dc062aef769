/** Trained weights out of nin-sdk: to an inference ONNX (the converter's graph) and to a PyTorch checkpoint. Browser-safe. */
export { exportInferenceOnnx, exportTrainedOnnx, type InferenceExportOptions } from './onnx.js';
export { checkpointOnnx } from './checkpoint-onnx.js';
export { exportPytorchCheckpoint } from './pth.js';
export type { StateDict } from './state-dict.js';
