/** ONNX Runtime's switch for its telemetry on Linux and macOS (1.29 and later); truthy values turn it off. */
export const ORT_TELEMETRY_ENV = 'ORT_DISABLE_TELEMETRY';

/**
 * ONNX Runtime 1.29+ starts Microsoft's 1DS telemetry with its environment on Linux and macOS unless
 * ORT_DISABLE_TELEMETRY is truthy: a thread, a SQLite event cache and device id under
 * ~/.cache/Microsoft/DeveloperTools/.onnxruntime, an empty /tmp/mat-debug-<pid>.log left by every process, and
 * uploads of events about each session (the model's file name and hashes among them). A command-line run pays for
 * it in its start-up (docs/startup.md) and litters /tmp, so nin-sdk's commands turn it off, unless the variable is
 * set already: any value, `0` included, is the user's choice and stays.
 *
 * ONNX Runtime reads the variable once, when its environment is created with the first session: this must run
 * before that, and it reaches the child processes and worker threads that nin-sdk starts.
 */
export function disableOrtTelemetryUnlessChosen(env: NodeJS.ProcessEnv = process.env): void {
  env[ORT_TELEMETRY_ENV] ??= '1';
}
