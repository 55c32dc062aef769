/** A mistake in how a command was called: printed with a pointer to --help, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * Turns any failure into the one line a command prints on stderr. Errors of the project's own types carry a
 * message written for users; anything else is a bug, and says so.
 */
export function describeFailure(error: unknown, command: string): { readonly line: string; readonly exitCode: number } {
  // By name: a bundled command carries its own copy of this module (scripts/bundle-cli.ts).
  if (error instanceof Error && error.name === 'UsageError')
    return { line: `${command}: ${error.message} (see ${command} --help)`, exitCode: 2 };
  if (isNodeFileError(error)) return { line: `${command}: ${describeFileError(error)}`, exitCode: 1 };
  if (error instanceof Error && KNOWN_ERROR_NAMES.has(error.name))
    return { line: `${command}: ${error.message}`, exitCode: 1 };
  const message = error instanceof Error ? error.message : String(error);
  return { line: `${command}: internal error: ${message}`, exitCode: 70 };
}

/** The project's own error types, whose messages are meant for users. */
const KNOWN_ERROR_NAMES = new Set([
  'RangeError',
  'CheckpointError',
  'ArchitectureError',
  'GraphError',
  'ModelError',
  'ImageError',
  'ProviderError',
  'TrainingCheckpointError',
  'OnnxRuntimeError',
  'FileTypeError',
  'OutputError',
  'ServerError',
  'ListenError',
]);

interface NodeFileError extends Error {
  readonly code: string;
  readonly path?: string;
}

function isNodeFileError(error: unknown): error is NodeFileError {
  return error instanceof Error && typeof (error as Partial<NodeFileError>).code === 'string' && 'syscall' in error;
}

function describeFileError(error: NodeFileError): string {
  const path = error.path ?? 'file';
  switch (error.code) {
    case 'ENOENT':
      return `no such file: ${path}`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied: ${path}`;
    case 'EISDIR':
      return `is a directory: ${path}`;
    default:
      return `${error.code}: ${path}: ${error.message}`;
  }
}
