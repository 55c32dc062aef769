/** An ONNX file that cannot serve as a nin-sdk classifier, with what is wrong with it. */
export class ModelError extends Error {
  override readonly name = 'ModelError';
}
