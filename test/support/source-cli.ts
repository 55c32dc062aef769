import { join } from 'node:path';
import { ROOT } from './fixtures.js';

/**
 * Node's arguments that run one of nin-sdk's CLIs from TypeScript source: tsx, and inference-workers.ts, so that
 * the worker threads the CLI starts (`nin-sdk train`'s replicas, predict's sessions) run the .ts worker modules too.
 */
export function sourceCli(command: 'nin-sdk' | 'nin-convert'): string[] {
  const workers = new URL('./inference-workers.ts', import.meta.url).href;
  return ['--import', 'tsx', '--import', workers, join(ROOT, 'src', 'cli', `${command}.ts`)];
}
