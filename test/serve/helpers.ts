import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { defaultModelPath } from '../../src/node/default-model.js';
import { InferenceServer, type ServeOptions } from '../../src/serve/server.js';
import type { Prediction } from '../../src/classifier/predictions.js';

// The server's workers start from TypeScript source too.
import '../support/inference-workers.js';

export const SERVE_DEFAULTS: ServeOptions = {
  host: '127.0.0.1',
  port: 0,
  workers: 1,
  threads: 1,
  providers: ['cpu'],
  strict: true,
  maxBatchSize: 16,
  maxQueueDelayMs: 0,
  maxQueueRows: 256,
  timeoutMs: 30_000,
  bodyLimitBytes: 8 * 1024 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  drainTimeoutMs: 10_000,
  maxPixels: 100_000_000,
  maxRequestPixels: 100_000_000,
  top: 3,
};

export function startDefaultServer(options: Partial<ServeOptions> = {}): Promise<InferenceServer> {
  return InferenceServer.start(
    [{ name: 'nin-cifar10', bytes: readFileSync(defaultModelPath()), source: 'default model' }],
    { ...SERVE_DEFAULTS, ...options },
  );
}

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** One HTTP request on its own connection; rejects only if no response came at all. */
export function send(
  url: string,
  method: string,
  body?: Uint8Array | string,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () =>
        resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

export const json = (reply: Reply): unknown => JSON.parse(reply.body.toString('utf8'));

/** A deterministic [n, 3, 32, 32] input. */
export function seededInput(n: number, seed = 1): Float32Array {
  const data = new Float32Array(n * 3 * 32 * 32);
  let state = seed;
  for (let i = 0; i < data.length; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    data[i] = (state / 2147483648) * 4 - 2;
  }
  return data;
}

/** A request with the input as binary tensor data after the JSON, outputs asked as binary too. */
export function binaryInferBody(
  input: Float32Array,
  rows: number,
  outputs: readonly string[] = ['probabilities'],
): { body: Buffer; headers: Record<string, string> } {
  const header = Buffer.from(
    JSON.stringify({
      inputs: [
        {
          name: 'input',
          shape: [rows, 3, 32, 32],
          datatype: 'FP32',
          parameters: { binary_data_size: input.byteLength },
        },
      ],
      outputs: outputs.map((name) => ({ name, parameters: { binary_data: true } })),
    }),
  );
  return {
    body: Buffer.concat([header, Buffer.from(input.buffer, input.byteOffset, input.byteLength)]),
    headers: { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': String(header.length) },
  };
}

/** Predictions as a server answers them: label, index and probability, the provider said once for the reply. */
export function ranked(predictions: readonly Prediction[]): Prediction[] {
  return predictions.map(({ label, index, probability }) => ({ label, index, probability }));
}

/** A multipart/form-data body of these files, as a browser form or `curl -F image=@…` sends them. */
export function multipart(boundary: string, files: readonly { name: string; bytes: Buffer }[]): Buffer {
  return Buffer.concat([
    ...files.map(({ name, bytes }) =>
      Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="${name}"\r\n` +
            'Content-Type: application/octet-stream\r\n\r\n',
        ),
        bytes,
        Buffer.from('\r\n'),
      ]),
    ),
    Buffer.from(`--${boundary}--\r\n`),
  ]);
}
