#!/usr/bin/env node
/**
 * Runs one tier of the tests with node's test runner (through tsx, as the tests import src/ by path):
 *   node scripts/test-tier.mjs unit   `npm test`: unit and PyTorch-parity tests, a few minutes
 *   node scripts/test-tier.mjs e2e    `npm run test:e2e`: browsers, WebGPU on SwiftShader, the CLIs end to end
 *   node scripts/test-tier.mjs all    both, as one run
 * A test file belongs to e2e when it matches E2E below, to unit otherwise, so a new file lands in the fast tier
 * unless it is listed here. `--list` prints the tier's files instead of running them; other arguments go to
 * `node --test` (e.g. --test-name-pattern).
 * The split was decided by timing each file alone (docs/testing.md).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folders (ending in '/') and files of the end-to-end tier, relative to the repository. */
const E2E = [
  'test/web/', // Chromium: the page, the bundle, WebGPU and WASM in a browser
  'test/cli/nin-sdk.test.ts', // predict / eval / info / doctor as child processes
  'test/cli/nin-convert.test.ts',
  'test/cli/checkpoint-reading.test.ts', // train --from, info, nin-convert as child processes (about 25 s)
  'test/cli/explain.test.ts', // nin-sdk explain as child processes (-o, --json on three models, refusals)
  'test/train-session/cli.test.ts', // nin-sdk train: runs, Ctrl-C, resume
  'test/train-session/cli-cifar-fine-tune.test.ts', // the default model fine-tuned on CIFAR-10's tars, evaluated
  'test/train-session/cli-classes.test.ts', // nin-sdk train: --limit, class counts, --val, --freeze, refusals
  'test/train-session/web-fine-tune.test.ts', // nin-sdk/web fineTune on wasm against nin-sdk train on cpu
  'test/train-session/average.test.ts', // nin-sdk average, with PyTorch
  'test/train-session/webgpu.test.ts', // Dawn on SwiftShader
  'test/train/webgpu.test.ts',
  'test/sdk/webgpu.test.ts',
  'test/package/', // npm pack and the packed package's imports
];

const root = join(fileURLToPath(import.meta.url), '..', '..');
const [tier, ...nodeArgs] = process.argv.slice(2);
if (tier !== 'unit' && tier !== 'e2e' && tier !== 'all') {
  console.error('usage: node scripts/test-tier.mjs unit|e2e|all [--list | node --test options]');
  process.exit(2);
}

const isE2e = (file) => E2E.some((entry) => (entry.endsWith('/') ? file.startsWith(entry) : file === entry));
const all = testFiles(join(root, 'test')).map((file) => relative(root, file).split('\\').join('/'));
const stale = E2E.filter(
  (entry) => !all.some((file) => (entry.endsWith('/') ? file.startsWith(entry) : file === entry)),
);
if (stale.length > 0) {
  console.error(`scripts/test-tier.mjs: ${stale.join(', ')} matches no test file; update E2E`);
  process.exit(1);
}
const files = all.filter((file) => tier === 'all' || isE2e(file) === (tier === 'e2e')).sort();

if (nodeArgs.includes('--list')) {
  console.log(files.join('\n'));
  process.exit(0);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...nodeArgs, ...files], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);

function testFiles(folder) {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}
