import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { connect, loadClassifier, ServerError, type NodeClassifier } from '../../src/index.js';
import type { InferenceServer } from '../../src/serve/server.js';
import { FIXTURES, ROOT } from '../support/fixtures.js';
import { startDefaultServer } from './helpers.js';

const IMAGES = join(FIXTURES, 'images', 'cifar10');
const FILES = readdirSync(IMAGES)
  .filter((f) => f.endsWith('.jpg'))
  .sort()
  .map((f) => join(IMAGES, f));
const CLI = join(ROOT, 'dist', 'src', 'cli', 'nin-sdk.js');

let server: InferenceServer;
let local: NodeClassifier;

before(async () => {
  server = await startDefaultServer();
  local = await loadClassifier(undefined, { threads: 1, dtype: 'fp32' });
});
after(async () => {
  await server.shutdown();
  await local.dispose();
});

describe('connect(url)', () => {
  test('classifies exactly as the in-process classifier, reading labels and preprocessing from the server', async () => {
    const remote = await connect(server.url, { batchSize: 4 });
    assert.deepEqual(remote.labels, local.labels);
    assert.equal(remote.provider, `server ${server.url}`);
    const expected = await local.classifyBatch(FILES, { top: 3 });
    const actual = await remote.classifyBatch(FILES, { top: 3 });
    assert.deepEqual(
      actual,
      expected.map(({ top }) => ({ top, provider: `server ${server.url}` })),
    );
  });

  test('unknown model and unreachable server: errors that say so', async () => {
    await assert.rejects(
      connect(server.url, { model: 'nope' }),
      (e: Error) =>
        e instanceof ServerError &&
        e.message === `${server.url}/v2/models/nope: 404 unknown model 'nope': this server has 'nin-cifar10'`,
    );
    await assert.rejects(
      connect('http://127.0.0.1:9'),
      (e: Error) =>
        e instanceof ServerError && /^cannot reach http:\/\/127\.0\.0\.1:9\/v2\/models\/nin-cifar10: /.test(e.message),
    );
  });

  test('nin-sdk predict --server prints what local predict prints', async () => {
    const run = promisify(execFile);
    const remote = await run(process.execPath, [CLI, 'predict', '--server', server.url, '--json', IMAGES]);
    const localRun = await run(process.execPath, [
      CLI,
      'predict',
      '--json',
      '--threads',
      '1',
      '--dtype',
      'fp32',
      IMAGES,
    ]);
    type Document = {
      provider: string;
      results: { file: string; predictions: { index: number; label: string; probability: number }[] }[];
    };
    const a = JSON.parse(remote.stdout) as Document;
    const b = JSON.parse(localRun.stdout) as Document;
    assert.equal(a.provider, `server ${server.url}`);
    // Local predict of a few images builds its session for start-up (no NCHWc layout), the server for throughput:
    // the same ranking, probabilities equal to float rounding.
    const ranking = (d: Document) =>
      d.results.map((r) => ({ file: r.file, classes: r.predictions.map((p) => `${p.index} ${p.label}`) }));
    assert.deepEqual(ranking(a), ranking(b));
    a.results.forEach((r, i) =>
      r.predictions.forEach((p, j) =>
        assert.ok(Math.abs(p.probability - b.results[i]!.predictions[j]!.probability) < 1e-5),
      ),
    );
  });

  test('predict --server refuses the options of a local model instead of ignoring them (exit 2)', async () => {
    const run = promisify(execFile);
    const refused = await run(process.execPath, [
      CLI,
      'predict',
      '--server',
      server.url,
      '--dtype',
      'int8',
      '--strict',
      IMAGES,
    ]).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    assert.equal(refused?.code, 2);
    assert.equal(
      refused?.stderr,
      'nin-sdk: --dtype, --strict apply to local models, not with --server (see nin-sdk --help)\n',
    );
  });
});

describe('connect(url) bounds what it reads from a server', () => {
  /** A server that answers every request with `answer`, for as long as the client reads. */
  async function hostileServer(
    answer: (response: ServerResponse) => void,
  ): Promise<{ url: string; close: () => void }> {
    const hostile = createServer((_request, response) => answer(response));
    await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
    const { port } = hostile.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`,
      close: () => {
        hostile.closeAllConnections();
        hostile.close();
      },
    };
  }

  test('an endless chunked answer is cut at maxResponseBytes with a ServerError', async () => {
    let sent = 0;
    const { url, close } = await hostileServer((response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const more = (): void => {
        // Bounded on this side too: the test must end even if the client did not stop reading.
        while (sent < 256 * 1024 * 1024 && response.write(chunk)) sent += chunk.length;
        if (sent < 256 * 1024 * 1024) response.once('drain', more);
        else response.end();
      };
      more();
    });
    try {
      await assert.rejects(connect(url, { maxResponseBytes: 1024 * 1024 }), {
        name: 'ServerError',
        message: `${url}/v2/models/nin-cifar10: the answer is larger than the limit of 1048576 bytes (maxResponseBytes)`,
      });
      assert.ok(sent < 64 * 1024 * 1024, `the client stopped reading: ${sent} bytes were sent`);
    } finally {
      close();
    }
  });

  test('an answer whose Content-Length says too much is refused before it is read, error answers too', async () => {
    const { url, close } = await hostileServer((response) => {
      response.writeHead(500, { 'Content-Type': 'text/plain', 'Content-Length': String(2 ** 40) });
      response.write('x');
    });
    try {
      await assert.rejects(connect(url), {
        name: 'ServerError',
        message: `${url}/v2/models/nin-cifar10: the answer is larger than the limit of 67108864 bytes (maxResponseBytes)`,
      });
    } finally {
      close();
    }
  });
});
