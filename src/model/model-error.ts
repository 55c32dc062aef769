/**
 * An ONNX model that cannot serve as a nin-sdk classifier, or cannot be read at all, with what is wrong with it:
 * a missing file, bytes that are not ONNX, a model without nin-sdk's metadata, outputs of the wrong shape, another
 * precision than the one asked for.
 *
 * @example
 * ```ts
 * import { loadClassifier, ModelError } from 'nin-sdk';
 * try {
 *   await loadClassifier('missing.onnx');
 * } catch (error) {
 *   if (error instanceof ModelError) console.error(error.message); // cannot read missing.onnx: no such file
 * }
 * ```
 */
export class ModelError extends Error {
  override readonly name = 'ModelError';
}
