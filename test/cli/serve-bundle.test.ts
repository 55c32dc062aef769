import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { bundledCli } from '../support/cli.js';
import { FIXTURES, ROOT } from '../support/fixtures.js';

const CLI = await bundledCli('nin-sdk');

// The bin entry is a bundle; its inference worker is a bundle of its own that the server starts by path.
test('nin-sdk serve (built CLI): the worker thread starts, an image is classified, SIGTERM exits 0', async () => {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--threads', '1', '--log', '-'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /on (http:\/\/\S+)/.exec(stderr);
        if (match) resolve(match[1]!);
      });
      void exited.then(() => reject(new Error(`serve exited early: ${stderr}`)));
    });
    const image = readFileSync(join(FIXTURES, 'images', 'cifar10', 'cat-0000.jpg'));
    const reply = await fetch(`${url}/v2/models/nin-cifar10/classify?top=1`, { method: 'POST', body: image });
    assert.equal(reply.status, 200);
    const body = (await reply.json()) as { results: { predictions: { label: string }[] }[] };
    assert.equal(body.results[0]!.predictions[0]!.label, 'cat');
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0);
});
