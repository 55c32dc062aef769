/**
 * `npx nin-sdk serve` runs the bundled CLI (package.json's bin, dist/cli/nin-sdk.mjs), whose serve command lives in
 * a chunk: its inference worker must be found beside that chunk, not where tsc puts it. Its default model is
 * predict's: the same scores through the server as from a local predict.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { bundledCli } from '../support/cli.js';
import { FIXTURES } from '../support/fixtures.js';
import { json, send } from './helpers.js';

interface PredictDocument {
  readonly results: readonly { file: string; predictions: { index: number; label: string; probability: number }[] }[];
}

test("the bundled nin-sdk serve starts its workers, classifies an image, and serves predict's default model", async () => {
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

    // predict's default on the CPU is the int8 model; float32 scores would differ from it by far more than 1e-5.
    const images = join(FIXTURES, 'images', 'cifar10');
    const run = promisify(execFile);
    const remote = JSON.parse(
      (await run(process.execPath, [cli, 'predict', '--server', url, '--json', images])).stdout,
    );
    const local = JSON.parse(
      (await run(process.execPath, [cli, 'predict', '--json', '--threads', '1', images])).stdout,
    );
    const [a, b] = [remote as PredictDocument, local as PredictDocument & { dtype: string }];
    assert.equal(b.dtype, 'int8');
    assert.ok(a.results.length >= 10);
    assert.deepEqual(
      a.results.map((r) => r.predictions.map((p) => p.index)),
      b.results.map((r) => r.predictions.map((p) => p.index)),
    );
    a.results.forEach((r, i) =>
      r.predictions.forEach((p, j) => {
        const expected = b.results[i]!.predictions[j]!.probability;
        assert.ok(Math.abs(p.probability - expected) < 1e-5, `${r.file}: ${p.probability} vs ${expected}`);
      }),
    );

    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    child.kill('SIGKILL');
  }
});
