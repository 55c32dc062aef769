/**
 * The package's entries as package.json `exports` resolves them (run on dist/, which `npm test` builds first):
 * `nin-sdk` is Node's, and a browser bundle that imports it is told to import `nin-sdk/web` instead (condition
 * `browser`); `nin-sdk/common` is the platform-neutral part that both re-export.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { ROOT } from '../support/fixtures.js';

function importInNode(script: string, ...conditions: string[]) {
  return spawnSync(
    process.execPath,
    [...conditions.map((c) => `--conditions=${c}`), '--input-type=module', '-e', script],
    { cwd: ROOT, encoding: 'utf8' },
  );
}

test("under the 'browser' condition, importing nin-sdk fails saying to import nin-sdk/web", () => {
  const result = importInNode("await import('nin-sdk');", 'browser');
  assert.equal(result.status, 1);
  assert.match(result.stderr, /Error: nin-sdk is the Node entry point: in a browser, use nin-sdk\/web/);
});

test('nin-sdk/common holds the platform-neutral API, the same objects nin-sdk re-exports', () => {
  const result = importInNode(
    "const common = await import('nin-sdk/common'); const node = await import('nin-sdk');" +
      'console.log(JSON.stringify([Object.keys(common).every((k) => common[k] === node[k]),' +
      " typeof common.convertCheckpoint, 'classify' in common, 'loadClassifier' in common]));",
  );
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), [true, 'function', false, false]);
});
