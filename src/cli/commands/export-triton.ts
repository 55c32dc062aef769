import { UsageError } from '../errors.js';

export async function runExport(argv: readonly string[]): Promise<number> {
  throw new UsageError(`export: not yet (${argv.join(' ')})`);
}
