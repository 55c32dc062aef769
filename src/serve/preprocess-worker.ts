/**
 * A preprocessing worker thread of serve's image route: encoded image → input tensor (decoding, Pillow's resize,
 * normalisation), off the thread that answers requests. Decoding a large image is sharp's, on libuv's pool, but the
 * resize and the in-process JPEG decoder are synchronous JavaScript and WebAssembly: a large photo held the server's
 * only JavaScript thread, and health checks with it, for a time that docs/benchmarks.md gives.
 */
import { parentPort } from 'node:worker_threads';
import { preprocessImage } from '../preprocess/node/index.js';
import type { PreprocessReply, PreprocessRequest } from './preprocess-messages.js';

const port = parentPort;
if (port === null) throw new Error('internal: preprocess-worker.ts runs as a worker thread only');

port.on('message', (request: PreprocessRequest) => {
  void preprocessImage(request.bytes, request.spec, request.options).then(
    ({ tensor }) =>
      port.postMessage({ id: request.id, tensor } satisfies PreprocessReply, [tensor.buffer as ArrayBuffer]),
    (error: unknown) =>
      port.postMessage({
        id: request.id,
        error: {
          name: error instanceof Error ? error.name : 'Error',
          message: error instanceof Error ? error.message : String(error),
        },
      } satisfies PreprocessReply),
  );
});
