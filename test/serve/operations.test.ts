import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { bundledCli } from '../support/cli.js';
import { binaryInferBody, json, seededInput, send, startDefaultServer } from './helpers.js';

// The bundled bin, as users run it: its inference workers are a bundle of their own (scripts/bundle-cli.ts).
const CLI = await bundledCli('nin-sdk');

describe('serve under load', () => {
  test('a full queue answers 503 with Retry-After; everything else is served', async () => {
    const server = await startDefaultServer({ maxQueueRows: 2, maxBatchSize: 1 });
    try {
      const { body, headers } = binaryInferBody(seededInput(1), 1);
      const replies = await Promise.all(
        Array.from({ length: 40 }, () => send(`${server.url}/v2/models/nin-cifar10/infer`, 'POST', body, headers)),
      );
      const statuses = new Set(replies.map((r) => r.status));
      assert.deepEqual([...statuses].sort(), [200, 503]);
      const busy = replies.find((r) => r.status === 503)!;
      assert.equal(busy.headers['retry-after'], '1');
      assert.match(
        (json(busy) as { error: string }).error,
        /^the server is busy: \d+ images are queued; retry shortly$/,
      );
    } finally {
      await server.shutdown();
    }
  });

  test('a request past its timeout gets 504', async () => {
    const server = await startDefaultServer({ timeoutMs: 1 });
    try {
      const { body, headers } = binaryInferBody(seededInput(16), 16);
      const reply = await send(`${server.url}/v2/models/nin-cifar10/infer`, 'POST', body, headers);
      assert.equal(reply.status, 504);
      assert.deepEqual(json(reply), { error: 'no answer within the request timeout of 1 ms' });
    } finally {
      await server.shutdown();
    }
  });

  test('SIGTERM during load: every request the server received is answered, then it exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nin-serve-'));
    const log = join(dir, 'access.log');
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--threads', '1', '--log', log], {
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
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const { body, headers } = binaryInferBody(seededInput(1), 1);
      const outcomes: string[] = [];
      let next = 0;
      const total = 400;
      const client = async (): Promise<void> => {
        while (next < total) {
          next++;
          try {
            outcomes.push(String((await send(`${url}/v2/models/nin-cifar10/infer`, 'POST', body, headers)).status));
          } catch (error) {
            outcomes.push((error as NodeJS.ErrnoException).code ?? 'unknown');
          }
          if (outcomes.length === 60) child.kill('SIGTERM');
        }
      };
      await Promise.all(Array.from({ length: 16 }, client));
      assert.equal(await exited, 0);
      const records = readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { status?: number; event?: string; unanswered?: number });
      const answered = records.filter((r) => r.status !== undefined);
      const ok = outcomes.filter((o) => o === '200').length;
      assert.ok(ok >= 60, `${ok} answered`);
      assert.ok(
        answered.every((r) => r.status === 200),
        'the server answered every request it received with 200',
      );
      assert.equal(answered.length, ok, 'every request the server received reached its client');
      for (const o of outcomes) assert.ok(['200', 'ECONNREFUSED', 'ECONNRESET'].includes(o), o);
      assert.deepEqual(records.at(-1), { ...records.at(-1), event: 'stopped', unanswered: 0 });
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('slow clients', () => {
  test('a client that never finishes its headers is cut off with 408 after headersTimeout', async () => {
    const { connect: tcpConnect } = await import('node:net');
    const server = await startDefaultServer({ headersTimeoutMs: 500, requestTimeoutMs: 1000 });
    try {
      const { port } = new URL(server.url);
      const started = performance.now();
      const answer = await new Promise<string>((resolve) => {
        const socket = tcpConnect(Number(port), '127.0.0.1', () =>
          socket.write('POST /v2/models/nin-cifar10/infer HTTP/1.1\r\nHost: x\r\n'),
        );
        let text = '';
        socket.on('data', (c: Buffer) => (text += c.toString()));
        socket.on('close', () => resolve(text));
      });
      const seconds = (performance.now() - started) / 1000;
      assert.match(answer, /^HTTP\/1\.1 408 /);
      assert.ok(seconds < 5, `cut off after ${seconds.toFixed(1)} s`);
      assert.equal((await send(`${server.url}/v2/health/live`, 'GET')).status, 200);
    } finally {
      await server.shutdown();
    }
  });
});
