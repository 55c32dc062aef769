/**
 * The API report (docs/api-report/*.api.md, API Extractor's) is the public surface of every package entry, signature
 * by signature: `npm test` fails when the built declarations differ from it, so that a change to the surface is a
 * visible diff in review (`npm run api` records a meant one). Runs on dist/, which `npm test` builds first.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../support/fixtures.js';

function apiCheck(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'api.ts'), '--check', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
}

test('the built declarations of every entry equal the committed API reports', () => {
  const result = apiCheck();
  assert.equal(result.status, 0, `${result.stderr}\n(npm test builds dist/ first; alone, run npm run build)`);
});

test('a surface that differs from its report fails the check, naming the entry and the command that records it', () => {
  const reports = mkdtempSync(join(tmpdir(), 'nin-api-report-'));
  cpSync(join(ROOT, 'docs', 'api-report'), reports, { recursive: true });
  const web = join(reports, 'nin-sdk-web.api.md');
  const text = readFileSync(web, 'utf8');
  const line = /^export function detectWebGpu\(.*$/m.exec(text);
  assert.ok(line !== null, 'the web report declares detectWebGpu');
  writeFileSync(web, text.replace(line[0], ''));
  const result = apiCheck('--entry', 'nin-sdk/web', '--reports', reports);
  assert.equal(result.status, 1, result.stderr);
  assert.match(
    result.stderr,
    /The public API differs from its committed report: nin-sdk-web\.api\.md \(nin-sdk\/web\)\. If the change is meant, run `npm run api` and commit the reports and docs\/api\/\./,
  );
});
