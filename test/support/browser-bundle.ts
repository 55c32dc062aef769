import { join } from 'node:path';
import { build } from 'esbuild';
import { ROOT } from './fixtures.js';

export interface BrowserBundle {
  readonly errors: readonly unknown[];
  /** Every file esbuild pulled in, relative to the project root. */
  readonly inputs: readonly string[];
  /** The npm packages among them, sorted. */
  readonly packages: readonly string[];
}

/** Bundles an entry point for the browser platform (esbuild refuses node: built-ins there) and lists what came in. */
export async function bundleForBrowser(entry: string): Promise<BrowserBundle> {
  const result = await build({
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: ROOT,
  });
  const inputs = Object.keys(result.metafile.inputs);
  const packages = new Set(
    inputs.map((path) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1]).filter((name) => name !== undefined),
  );
  return { errors: result.errors, inputs, packages: [...packages].sort() };
}
