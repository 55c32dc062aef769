/** An error of ONNX Runtime's (a session that would not start or a run that failed), told in one line. */
export class OnnxRuntimeError extends Error {
  override readonly name = 'OnnxRuntimeError';
}

/**
 * ONNX Runtime's messages carry source paths (`/onnxruntime_src/…/file.cc:123 Function`) and multi-line context
 * (stack traces, the node's inputs); a command prints one line. The first non-empty line says what failed; the
 * rest is dropped, and whitespace runs are folded so that no control character reaches a terminal.
 */
export function ortErrorLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const adapter = /Failed to get a WebGPU adapter[^.\n]*/.exec(message);
  if (adapter) return adapter[0];
  const line = message.split(/\r?\n/).find((l) => l.trim() !== '') ?? message;
  return oneLine(line.replace(/^\s*\/onnxruntime_src\/\S+ /, ''));
}

/** `text` with every run of whitespace or other control characters folded into one space. */
export function oneLine(text: string): string {
  return text.replace(/[\s\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
}
