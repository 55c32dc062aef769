/**
 * nin-sdk/web keeps ONNX Runtime's warnings about its own sessions quiet without touching onnxruntime-web's
 * process-wide (page-wide) log level, which belongs to the application. Runs in Node on
 * onnxruntime-web's wasm provider: no browser needed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../support/fixtures.js';

function run(mode: 'sdk' | 'plain'): { levels: { before: string; after: string }; console: string } {
  const result = spawnSync(
    process.execPath,
    // V8 would otherwise spend minutes optimising ONNX Runtime's 27 MB of WebAssembly in the background before
    // the process may exit; its baseline compiler (Liftoff) runs one session in a few seconds.
    ['--liftoff-only', '--import', 'tsx', join(ROOT, 'test', 'support', 'web-session-log.ts'), mode],
    { encoding: 'utf8', cwd: ROOT, timeout: 120_000 },
  );
  assert.equal(result.status, 0, result.stderr);
  const lines = result.stdout.trimEnd().split('\n');
  const levels = JSON.parse(lines.pop()!) as { before: string; after: string };
  return { levels, console: lines.join('\n') + result.stderr };
}

test('the control: a session with default options warns about the unused initializer', () => {
  const { console } = run('plain');
  assert.match(console, /Removing initializer 'unused_initializer'/);
});

test("nin-sdk/web's sessions do not warn, and ort.env.logLevel stays the application's", () => {
  const { levels, console } = run('sdk');
  assert.deepEqual(levels, { before: 'warning', after: 'warning' });
  assert.doesNotMatch(console, /Removing initializer/);
});
