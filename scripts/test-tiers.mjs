/**
 * The two test tiers, decided in one place: a test file belongs to e2e when it matches E2E below, to unit otherwise,
 * so a new file lands in the fast tier unless it is listed here. Used by scripts/test-tier.mjs (which runs a tier)
 * and scripts/testing-doc.mjs (which writes docs/testing.md's list of files from it).
 * The split was decided by timing each file alone (docs/testing.md).
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folders (ending in '/') and files of the end-to-end tier, relative to the repository. */
export const E2E = [
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

export const ROOT = join(fileURLToPath(import.meta.url), '..', '..');

const matches = (file, entry) => (entry.endsWith('/') ? file.startsWith(entry) : file === entry);

/** Whether a test file (relative to the repository, '/'-separated) is in the e2e tier. */
export const isE2e = (file) => E2E.some((entry) => matches(file, entry));

/** Every test/**\/*.test.ts, relative to the repository, '/'-separated, sorted. */
export function allTestFiles() {
  return testFiles(join(ROOT, 'test'))
    .map((file) => relative(ROOT, file).split('\\').join('/'))
    .sort();
}

/** E2E entries that match no test file: a renamed or removed file left behind in the list. */
export function staleE2eEntries(files = allTestFiles()) {
  return E2E.filter((entry) => !files.some((file) => matches(file, entry)));
}

function testFiles(folder) {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}
