#!/usr/bin/env node
/**
 * Runs one tier of the tests with node's test runner (through tsx, as the tests import src/ by path):
 *   node scripts/test-tier.mjs unit   `npm test`: unit and PyTorch-parity tests, a few minutes
 *   node scripts/test-tier.mjs e2e    `npm run test:e2e`: browsers, WebGPU on SwiftShader, the CLIs end to end
 *   node scripts/test-tier.mjs all    both, as one run
 * Which file is in which tier: scripts/test-tiers.mjs. `--list` prints the tier's files instead of running them;
 * other arguments go to `node --test` (e.g. --test-name-pattern).
 */
import { spawnSync } from 'node:child_process';
import { allTestFiles, isE2e, ROOT, staleE2eEntries } from './test-tiers.mjs';

const [tier, ...nodeArgs] = process.argv.slice(2);
if (tier !== 'unit' && tier !== 'e2e' && tier !== 'all') {
  console.error('usage: node scripts/test-tier.mjs unit|e2e|all [--list | node --test options]');
  process.exit(2);
}

const all = allTestFiles();
const stale = staleE2eEntries(all);
if (stale.length > 0) {
  console.error(`scripts/test-tiers.mjs: ${stale.join(', ')} matches no test file; update E2E`);
  process.exit(1);
}
const files = all.filter((file) => tier === 'all' || isE2e(file) === (tier === 'e2e'));

if (nodeArgs.includes('--list')) {
  console.log(files.join('\n'));
  process.exit(0);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...nodeArgs, ...files], {
  cwd: ROOT,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
