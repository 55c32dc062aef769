import { parseProviders, providersOf, type NodeProvider } from '../runtime/index.js';
import { UsageError } from './errors.js';

/**
 * Runs node:util parseArgs (passed in as a thunk, so its inferred result type survives) and turns its errors
 * into UsageError, which commands print as one line.
 */
export function parseCommandLine<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError(error instanceof Error ? describeParseError(error.message) : String(error));
  }
}

/** parseArgs' messages, reworded where they puzzle: `--batch -1` is "ambiguous" to it. */
function describeParseError(message: string): string {
  const ambiguous = /^Option '(-[^' ]+)[^']*' argument is ambiguous/.exec(message);
  if (ambiguous) return `${ambiguous[1]} needs a value; write one that starts with '-' as ${ambiguous[1]}=<value>`;
  const missing = /^Option '(-[^' ]+)[^']*' argument missing/.exec(message);
  if (missing) return `${missing[1]} needs a value`;
  return message.replace(/\. To specify.*$/s, '');
}

/** Reads --provider (one name or an ordered list); a name that is not a provider is a usage error (exit 2). */
export function providerOption(value: string | undefined): NodeProvider[] {
  const valid: readonly string[] = providersOf('node');
  const unknown = value?.split(',').find((name) => !valid.includes(name.trim().toLowerCase()));
  if (unknown !== undefined) {
    throw new UsageError(
      `--provider should be one of ${valid.join(', ')} or an ordered list of them like cuda,cpu, got '${unknown}'`,
    );
  }
  return parseProviders(value, 'node');
}

/** Reads an integer option within bounds, naming the option in the error. */
export function integerOption(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${value}'`);
  }
  return parsed;
}

/** Reads an option that takes one of a fixed set of values, listing them in the error. */
export function choiceOption<C extends string>(
  name: string,
  value: string | undefined,
  choices: readonly C[],
): C | undefined {
  if (value === undefined) return undefined;
  if ((choices as readonly string[]).includes(value)) return value as C;
  throw new UsageError(`--${name} should be one of ${choices.join(', ')}, got '${value}'`);
}
