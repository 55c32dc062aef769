import { bundleClis, CLI_BUNDLES } from '../../scripts/bundle-cli.js';

let bundled: Promise<void> | undefined;

/**
 * Path of a bundled CLI (what package.json's bin entries name), bundled afresh from the current sources once per
 * test process: esbuild takes well under a second, and no test then runs a bundle older than a plain `tsc` build.
 */
export async function bundledCli(name: keyof typeof CLI_BUNDLES): Promise<string> {
  bundled ??= bundleClis();
  await bundled;
  return CLI_BUNDLES[name];
}
