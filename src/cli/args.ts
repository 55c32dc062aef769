import { UsageError } from './errors.js';

/**
 * Runs node:util parseArgs (passed in as a thunk, so its inferred result type survives) and turns its errors
 * into UsageError, which commands print as one line.
 */
export function parseCommandLine<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.replace(/\. To specify.*$/s, '') : String(error));
  }
}

/** Reads an integer option within bounds, naming the option in the error. */
export function integerOption(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${value}'`);
  }
  return parsed;
}

/** Reads an option that takes one of a fixed set of values, listing them in the error. */
export function choiceOption<C extends string>(name: string, value: string | undefined, choices: readonly C[]): C | undefined {
  if (value === undefined) return undefined;
  if ((choices as readonly string[]).includes(value)) return value as C;
  throw new UsageError(`--${name} should be one of ${choices.join(', ')}, got '${value}'`);
}
