import { describeFailure } from './errors.js';
import { disableOrtTelemetryUnlessChosen } from './ort-telemetry.js';
import { terminalLine } from './terminal-text.js';

/**
 * Runs a command's main, printing any failure as one line on stderr with the right exit code. A reader that goes
 * away (`nin-sdk predict dir | head -2`) ends the command quietly, as it would end `cat`. ONNX Runtime's telemetry
 * is off unless the user says otherwise (src/cli/ort-telemetry.ts).
 */
export function runCommand(name: string, main: () => Promise<number | void>): void {
  disableOrtTelemetryUnlessChosen();
  exitQuietlyOnClosedPipe(process.stdout);
  exitQuietlyOnClosedPipe(process.stderr);
  main().then(
    (exitCode) => {
      if (typeof exitCode === 'number') process.exitCode = exitCode;
    },
    (error: unknown) => {
      const { line, exitCode } = describeFailure(error, name);
      // Messages from libraries (ONNX Runtime's, Node's) may span lines, and names read from the input (class
      // folders, tar entries, labels) may carry terminal escape sequences.
      console.error(terminalLine(line));
      process.exitCode = exitCode;
    },
  );
}

/**
 * Node ignores SIGPIPE, so writing to a closed pipe raises EPIPE on the stream; unhandled, that prints a stack trace.
 * Nobody reads the rest, so the command stops at once, with the exit code it has so far (temporary files are
 * removed by the 'exit' hook of writeFileAtomic).
 */
function exitQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit();
    throw error;
  });
}
