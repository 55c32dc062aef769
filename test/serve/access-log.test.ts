/**
 * The access log records what the client was actually sent: the 408 node:http answers a request past
 * --request-timeout with (it used to say 200, the untouched response's default), and the bytes written to the
 * connection (it used to say 0: the header it read is not kept by writeHead).
 */
import assert from 'node:assert/strict';
import { connect as tcpConnect } from 'node:net';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import type { AccessRecord } from '../../src/serve/access-log.js';
import { startDefaultServer } from './helpers.js';

/** Everything the server sends on one raw connection after `request` is written, until it closes. */
function rawExchange(url: string, request: string): Promise<Buffer> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = tcpConnect(Number(port), '127.0.0.1', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks)));
  });
}

/** The log's request records (events left out), once `count` of them are there. */
async function records(log: string[], count: number): Promise<AccessRecord[]> {
  const parse = (): AccessRecord[] =>
    log
      .join('')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as AccessRecord & { event?: string })
      .filter((r) => r.event === undefined);
  for (let waited = 0; parse().length < count && waited < 5000; waited += 20) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return parse();
}

test('the access log: 408 and its bytes for a body past --request-timeout, the real bytes out of an answer', async () => {
  const out = new PassThrough();
  const log: string[] = [];
  out.on('data', (chunk: Buffer) => log.push(chunk.toString()));
  const server = await startDefaultServer({ requestTimeoutMs: 400, headersTimeoutMs: 300, log: out });
  try {
    const timeoutAnswer = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n';
    // Headers whole, then 2 bytes of the 100 announced, and nothing more.
    const cut = await rawExchange(
      server.url,
      'POST /v2/models/nin-cifar10/infer HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"',
    );
    assert.equal(cut.toString(), timeoutAnswer);
    const answered = await rawExchange(server.url, 'GET /v2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.match(answered.toString(), /^HTTP\/1\.1 200 OK\r\n/);
    // Headers never finished: no request, but the 408 node sends is logged too.
    const noHeaders = await rawExchange(server.url, 'GET /v2 HTTP/1.1\r\nHost: x\r\n');
    assert.equal(noHeaders.toString(), timeoutAnswer);

    const [timedOut, ok, headerless] = await records(log, 3);
    assert.deepEqual(
      { ...timedOut, time: '', ms: 0, remote: '' },
      {
        time: '',
        remote: '',
        method: 'POST',
        path: '/v2/models/nin-cifar10/infer',
        status: 408,
        ms: 0,
        bytesIn: 2,
        bytesOut: Buffer.byteLength(timeoutAnswer),
        model: 'nin-cifar10',
        error: 'ERR_HTTP_REQUEST_TIMEOUT',
        aborted: true,
      },
    );
    assert.equal(ok!.status, 200);
    assert.equal(ok!.bytesOut, answered.length);
    assert.deepEqual(
      { ...headerless, time: '', remote: '' },
      {
        time: '',
        remote: '',
        status: 408,
        ms: 0,
        bytesIn: 0,
        bytesOut: Buffer.byteLength(timeoutAnswer),
        error: 'ERR_HTTP_REQUEST_TIMEOUT',
      },
    );
  } finally {
    await server.shutdown();
  }
});
