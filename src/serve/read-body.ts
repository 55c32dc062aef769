import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';

/**
 * After an oversized body is refused, how long and how much of the rest the server still reads and drops before it
 * cuts the connection. Closing a socket with unread input makes the kernel answer with a reset, which can reach the
 * client before the 413 and lose it (the client then sees only EPIPE): so the 413 goes without `Connection: close`
 * (Node would then close at once), the rest of the body is read and dropped, and a body that does not end within
 * these bounds has its connection cut. A body that does end leaves the connection open for the next request.
 * Most clients (Node's, Python's requests) read no answer before they have sent the whole body, so the byte bound is
 * what decides up to which size they see the 413 rather than a reset: with 16 MiB, a 100 MB upload on loopback met
 * the reset first in about one run of four; dropping 128 MiB costs a core's time too (docs/benchmarks.md).
 */
const LINGER_MS = 2000;
const LINGER_BYTES = 128 * 1024 * 1024;

/**
 * The request body, whole, refused with 413 as soon as it is known to exceed `limit` bytes (from Content-Length
 * before reading anything, else while reading), so that an oversized upload never sits in memory.
 *
 * @param reason where the limit comes from, said in the 413's message
 */
export function readBody(request: IncomingMessage, limit: number, reason?: string): Promise<Buffer> {
  const declared = request.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    lingerThenClose(request);
    return Promise.reject(tooLarge(limit, reason));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total <= limit) {
        chunks.push(chunk);
        return;
      }
      stopReading();
      chunks.length = 0;
      lingerThenClose(request);
      reject(tooLarge(limit, reason));
    };
    const onEnd = (): void => {
      stopReading();
      if (declared !== undefined && total !== Number(declared)) reject(cutOff());
      // One chunk (a small request, read at once) is handed on as it is: a copy would only cost time and memory.
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
    };
    const onAbort = (): void => {
      stopReading();
      reject(cutOff());
    };
    const stopReading = (): void => {
      request.off('data', onData).off('end', onEnd).off('error', onAbort).off('aborted', onAbort);
    };
    request.on('data', onData).on('end', onEnd).on('error', onAbort).on('aborted', onAbort);
  });
}

/** Reads and drops the rest of the request for a bounded while, then closes the connection (see LINGER_MS). */
function lingerThenClose(request: IncomingMessage): void {
  const socket = request.socket;
  let dropped = 0;
  const close = (): void => {
    socket.destroy();
  };
  const timer = setTimeout(close, LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  request.once('end', () => clearTimeout(timer));
  request.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > LINGER_BYTES) close();
  });
  request.on('error', () => undefined); // the reset or the destroy above: nothing left to tell
  request.resume();
  // A request that said `Connection: close` (Node's client without an agent does) has node:http end its socket with
  // destroySoon() once the 413 is written: it half-closes, then destroys as soon as the write side is done, with
  // the rest of the body unread, so the kernel resets the connection and the client, still sending, meets EPIPE
  // before it reads the 413 (one run of three in test/serve/protocol.test.ts). Half-closing alone keeps reading
  // and dropping within the bounds above, as nginx's lingering close does.
  Object.defineProperty(socket, 'destroySoon', { value: () => void socket.end(), configurable: true });
}

function tooLarge(limit: number, reason: string | undefined): HttpError {
  return new HttpError(
    413,
    `the request body exceeds the limit of ${limit} bytes${reason === undefined ? '' : ` (${reason})`}`,
  );
}

function cutOff(): HttpError {
  return new HttpError(400, 'the request body was cut off');
}
