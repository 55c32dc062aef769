import { describeFailure } from './errors.js';

/** Runs a command's main, printing any failure as one line on stderr with the right exit code. */
export function runCommand(name: string, main: () => Promise<number | void>): void {
  main().then(
    (exitCode) => {
      if (typeof exitCode === 'number') process.exitCode = exitCode;
    },
    (error: unknown) => {
      const { line, exitCode } = describeFailure(error, name);
      console.error(line);
      process.exitCode = exitCode;
    },
  );
}
