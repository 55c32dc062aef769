/**
 * `npx nin-sdk serve` runs the bundled CLI (package.json's bin, dist/cli/nin-sdk.mjs), whose serve command lives in
 * a chunk: its inference worker must be found beside that chunk, not where tsc puts it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { bundledCli } from '../support/cli.js';
import { FIXTURES } from '../support/fixtures.js';
import { json, send } from './helpers.js';

test('the bundled nin-sdk serve starts its workers and classifies an image', async () => {
  const cli = await bundledCli('nin-sdk');
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--threads', '1', '--log', '-'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  try {
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /on (http:\/\/\S+)/.exec(stderr);
        if (match) resolve(match[1]!);
      });
      child.once('exit', () => reject(new Error(`serve exited early: ${stderr}`)));
    });
    const reply = await send(
      `${url}/v2/models/nin-cifar10/classify?top=1`,
      'POST',
      readFileSync(join(FIXTURES, 'images', 'cat.jpg')),
    );
    assert.equal(reply.status, 200, reply.body.toString());
    const document = json(reply) as { results: { predictions: { label: string }[] }[] };
    assert.deepEqual(
      document.results.map((r) => r.predictions.map((p) => p.label)),
      [['cat']],
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    child.kill('SIGKILL');
  }
});
