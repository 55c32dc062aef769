/**
 * The serve bench's load generator counts what it is meant to: answers with status 200 and exactly the binary
 * scores asked for after their JSON header pass; a wrong status, a short or long binary part, and a connection the
 * server closes (after which it reconnects) are told apart.
 */
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { encodeRequest, runLoad } from '../../bench/http-load-client.js';

async function withServer(
  answer: (response: ServerResponse, index: number) => void,
  body: (url: URL) => Promise<void>,
): Promise<number> {
  let index = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => answer(response, index++));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await body(new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/models/m/infer`));
  } finally {
    server.closeAllConnections();
    server.close();
  }
  return index;
}

/** An infer-like answer: a JSON header of `json` bytes, then `binary` bytes. */
function infer(response: ServerResponse, binary: number, extra: Record<string, string> = {}): void {
  const header = Buffer.from('{"outputs":[]}');
  response.writeHead(200, {
    'Inference-Header-Content-Length': String(header.length),
    'Content-Length': String(header.length + binary),
    ...extra,
  });
  response.end(Buffer.concat([header, Buffer.alloc(binary)]));
}

test('answers with the expected binary part pass; wrong status or size fail; closed connections reopen', async () => {
  let answered = 0;
  const served = await withServer(
    (response, i) => {
      answered++;
      if (i % 10 === 3) return void response.writeHead(503, { 'Content-Length': '2' }).end('{}');
      if (i % 10 === 5) return infer(response, 36);
      if (i % 10 === 7) return infer(response, 40, { Connection: 'close' });
      infer(response, 40);
    },
    async (url) => {
      const request = {
        bytes: encodeRequest('POST', url, { 'X-Test': '1' }, Buffer.alloc(100)),
        expectedBinaryBytes: 40,
      };
      const result = await runLoad(url, 4, 200, [request]);
      assert.equal(result.failed, 40); // the 503s and the short answers: 2 in every 10
      assert.equal(result.latenciesMs.length, 200);
      assert.ok(result.seconds > 0 && result.clientCpuMs > 0);
    },
  );
  assert.equal(served, 200);
  assert.equal(answered, 200);
});

test('encodeRequest writes an HTTP/1.1 keep-alive request with the body and its length', () => {
  const bytes = encodeRequest(
    'POST',
    new URL('http://127.0.0.1:8000/v2/models/m/infer?x=1'),
    { A: 'b' },
    Buffer.from('hi'),
  );
  assert.equal(
    bytes.toString('latin1'),
    'POST /v2/models/m/infer?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nConnection: keep-alive\r\nA: b\r\nContent-Length: 2\r\n\r\nhi',
  );
});
