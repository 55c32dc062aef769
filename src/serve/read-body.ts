import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';

/**
 * The request body, whole, refused with 413 as soon as it is known to exceed `limit` bytes (from Content-Length
 * before reading anything, else while reading), so that an oversized upload never sits in memory.
 */
export async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = request.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of request as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > limit) throw tooLarge(limit);
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw new HttpError(400, 'the request body was cut off');
  }
  if (declared !== undefined && total !== Number(declared)) throw new HttpError(400, 'the request body was cut off');
  return Buffer.concat(chunks, total);
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, `the request body exceeds the limit of ${limit} bytes`, { Connection: 'close' });
}
