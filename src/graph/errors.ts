/**
 * Raised when an op is applied to values it cannot take. The message starts
 * with the builder function's name (`conv: …`) so it points at the user's call.
 */
export class ShapeInferenceError extends Error {
  override readonly name = 'ShapeInferenceError';
  constructor(
    readonly op: string,
    detail: string,
  ) {
    super(`${op}: ${detail}`);
  }
}

/** The builder-function name for an ONNX op type: `MaxPool` → `maxPool`, `MatMul` → `matMul`. */
export function opFunctionName(opType: string): string {
  return opType.charAt(0).toLowerCase() + opType.slice(1);
}
