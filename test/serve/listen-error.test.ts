/**
 * `nin-sdk serve` on an address it cannot listen on exits 1 at once with one line. It used to print node's error
 * and stay up, not listening, its inference workers keeping the process alive: a supervisor took it for healthy.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { after, before, test } from 'node:test';
import { bundledCli } from '../support/cli.js';
import { startDefaultServer } from './helpers.js';

let held: Server;
let port: number;
before(async () => {
  held = createServer();
  await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
  port = (held.address() as { port: number }).port;
});
after(() => new Promise<void>((resolve) => held.close(() => resolve())));

test('the library: start() rejects with a ListenError naming the address', async () => {
  await assert.rejects(startDefaultServer({ port }), {
    name: 'ListenError',
    message: `cannot listen on 127.0.0.1:${port}: the address is already in use (EADDRINUSE)`,
  });
});

test('nin-sdk serve on a port already taken exits 1 with one line, without waiting', async () => {
  const cli = await bundledCli('nin-sdk');
  const child = spawn(process.execPath, [cli, 'serve', '--port', String(port), '--threads', '1', '--log', '-'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // Loading the model takes a second or two on a busy machine; a process still up after 20 s never exits.
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('exit', (c, s) => resolve([c, s])),
  );
  clearTimeout(killer);
  assert.equal(signal, null, `serve was still up after 20 s: ${stderr}`);
  assert.equal(code, 1);
  assert.equal(stderr, `nin-sdk: cannot listen on 127.0.0.1:${port}: the address is already in use (EADDRINUSE)\n`);
});
