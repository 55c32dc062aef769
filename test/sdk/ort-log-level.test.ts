/**
 * nin-sdk for Node leaves ONNX Runtime's process-wide log level to the application: importing it and classifying
 * change nothing in `ort.env` (its own sessions set their level per session). The web entry's counterpart is
 * web-log-level.test.ts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { ROOT } from '../support/fixtures.js';

test('importing nin-sdk and classifying leaves ort.env.logLevel as the application set it', () => {
  const script =
    "import * as ort from 'onnxruntime-node'; const before = ort.env.logLevel; " +
    "const { classify } = await import('./src/index.ts'); await classify('fixtures/images/cat.jpg'); " +
    'console.log(JSON.stringify([before, ort.env.logLevel]));';
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    cwd: ROOT,
  });
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), ['warning', 'warning']);
});
