/**
 * The serve part of `npm run bench`: `nin-sdk serve` on loopback under 1, 8 and 64 concurrent clients, each
 * sending one CIFAR-10-sized image per infer request (binary tensor data), a fixed number of requests per level;
 * against the higher of two in-process ceilings of the same model file, measured in the same run before and after:
 * classifyBatch (batches of 64, the same ONNX Runtime threads) and a bare session with the server worker's own
 * session options fed the requests' tensors (no preprocessing, no HTTP: the server's work alone). Both embedded models, fp32 and int8: the server is told
 * which file to serve, the ceiling which dtype to load, so that both sides always run the same model (the
 * classifier's CPU default is int8, serve's default model fp32). Only 127.0.0.1; every loop is bounded by its
 * request count.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { Agent, request as httpRequest } from 'node:http';
import { loadClassifier } from '../src/node/classify.js';
import { physicalCoreCount } from '../src/node/cpu-cores.js';
import { defaultModelPath } from '../src/node/default-model.js';
import type { ModelDtype } from '../src/model/dtype.js';
import { modelNameOf } from '../src/serve/served-model.js';
import { workerSessionOptions } from '../src/serve/worker-session-options.js';
import type { RawPixels } from '../src/preprocess/pixels.js';
import { SDK_CLI } from './paths.js';
import { median } from './stats.js';
import { formatTable } from './text-table.js';

const LEVELS = [
  { clients: 1, requests: 400, imagesPerRequest: 1 },
  { clients: 8, requests: 1600, imagesPerRequest: 1 },
  { clients: 64, requests: 3200, imagesPerRequest: 1 },
  // As many images in flight as 64 clients, with an eighth of the HTTP work per image: what batching clients get.
  { clients: 8, requests: 400, imagesPerRequest: 8 },
] as const;
const MAX_BATCH = 64;
const CEILING_IMAGES = 3200;

export interface ServeLevel {
  readonly clients: number;
  readonly requests: number;
  readonly imagesPerRequest: number;
  readonly failed: number;
  readonly seconds: number;
  readonly imagesPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** imagesPerSecond / the higher of the two in-process ceilings. */
  readonly ofCeiling: number;
}

export interface ServeSection {
  readonly dtype: ModelDtype;
  readonly threads: number;
  /** classifyBatch on pixels (preprocessing included, the SDK's default session options), mean of before and after. */
  readonly classifyBatchImagesPerSecond: number;
  /** A bare session with the server worker's own options on the requests' tensors, mean of before and after. */
  readonly sessionImagesPerSecond: number;
  /** The higher of the two: what the server is rated against. */
  readonly ceilingImagesPerSecond: number;
  readonly levels: readonly ServeLevel[];
}

/** Seeded 32×32 RGB pixels, as decoded images would be. */
function pixels(count: number): RawPixels[] {
  let state = 12345;
  return Array.from({ length: count }, () => {
    const data = new Uint8Array(32 * 32 * 3);
    for (let i = 0; i < data.length; i++) data[i] = (state = (state * 1103515245 + 12345) % 2147483648) >>> 23;
    return { data, width: 32, height: 32, channels: 3 };
  });
}

async function ceiling(dtype: ModelDtype, threads: number, images: readonly RawPixels[]): Promise<number> {
  const classifier = await loadClassifier(undefined, { dtype, threads, batchSize: MAX_BATCH });
  try {
    await classifier.classifyBatch(images.slice(0, MAX_BATCH));
    const started = performance.now();
    await classifier.classifyBatch(images);
    return images.length / ((performance.now() - started) / 1000);
  } finally {
    await classifier.dispose();
  }
}

/** The server's own work without HTTP: the same session options, the same tensors, batches of MAX_BATCH. */
async function sessionCeiling(model: string, threads: number, tensors: readonly Float32Array[]): Promise<number> {
  const session = await ort.InferenceSession.create(await readFile(model), workerSessionOptions(threads));
  try {
    const row = tensors[0]!.length;
    const batch = new Float32Array(MAX_BATCH * row);
    for (let i = 0; i < MAX_BATCH; i++) batch.set(tensors[i % tensors.length]!, i * row);
    const input = new ort.Tensor('float32', batch, [MAX_BATCH, 3, 32, 32]);
    const name = session.inputNames[0]!;
    await session.run({ [name]: input });
    const started = performance.now();
    for (let done = 0; done < CEILING_IMAGES; done += MAX_BATCH) await session.run({ [name]: input });
    return CEILING_IMAGES / ((performance.now() - started) / 1000);
  } finally {
    await session.release();
  }
}

function startServer(model: string, threads: number): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [
      SDK_CLI,
      'serve',
      '--model',
      model,
      '--port',
      '0',
      '--threads',
      String(threads),
      '--max-batch-size',
      String(MAX_BATCH),
      '--log',
      '-',
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /on (http:\/\/\S+)/.exec(stderr);
      if (match) resolve({ child, url: match[1]! });
    });
    child.once('exit', () => reject(new Error(`nin-sdk serve exited: ${stderr}`)));
  });
}

function post(url: string, agent: Agent, body: Buffer, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const req = httpRequest(
      url,
      { method: 'POST', agent, headers: { ...headers, 'Content-Length': String(body.length) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

async function level(
  inferUrl: string,
  clients: number,
  requests: number,
  { bodies, headers, imagesPerRequest }: InferBodies,
): Promise<Omit<ServeLevel, 'ofCeiling'>> {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const latencies: number[] = [];
  let failed = 0;
  let next = 0;
  const started = performance.now();
  const client = async (): Promise<void> => {
    while (next < requests) {
      const k = next++;
      const sent = performance.now();
      const status = await post(inferUrl, agent, bodies[k % bodies.length]!, headers[k % headers.length]!);
      latencies.push(performance.now() - sent);
      if (status !== 200) failed++;
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    clients,
    requests,
    imagesPerRequest,
    failed,
    seconds,
    imagesPerSecond: (requests * imagesPerRequest) / seconds,
    p50Ms: median(latencies),
    p99Ms: latencies[Math.min(latencies.length - 1, Math.ceil(latencies.length * 0.99) - 1)]!,
  };
}

export async function runServePart(progress: (line: string) => void): Promise<ServeSection[]> {
  const sections: ServeSection[] = [];
  for (const dtype of ['fp32', 'int8'] as const) sections.push(await runServeDtype(dtype, progress));
  return sections;
}

interface InferBodies {
  readonly bodies: readonly Buffer[];
  readonly headers: readonly Record<string, string>[];
  readonly imagesPerRequest: number;
}

/** Binary-tensor infer requests of `imagesPerRequest` consecutive tensors each, asking for binary probabilities. */
function inferBodies(tensors: readonly Float32Array[], imagesPerRequest: number): InferBodies {
  const bodies: Buffer[] = [];
  const headers: Record<string, string>[] = [];
  for (let first = 0; first + imagesPerRequest <= tensors.length; first += imagesPerRequest) {
    const data = Buffer.concat(
      tensors.slice(first, first + imagesPerRequest).map((t) => Buffer.from(t.buffer, t.byteOffset, t.byteLength)),
    );
    const header = Buffer.from(
      JSON.stringify({
        inputs: [
          {
            name: 'input',
            shape: [imagesPerRequest, 3, 32, 32],
            datatype: 'FP32',
            parameters: { binary_data_size: data.length },
          },
        ],
        outputs: [{ name: 'probabilities', parameters: { binary_data: true } }],
      }),
    );
    bodies.push(Buffer.concat([header, data]));
    headers.push({
      'Inference-Header-Content-Length': String(header.length),
      'Content-Type': 'application/octet-stream',
    });
  }
  return { bodies, headers, imagesPerRequest };
}

async function runServeDtype(dtype: ModelDtype, progress: (line: string) => void): Promise<ServeSection> {
  const threads = physicalCoreCount();
  const images = pixels(CEILING_IMAGES);
  const model = defaultModelPath(dtype);
  // Requests carry preprocessed tensors (the client's work), made once: the bench measures the server.
  const classifier = await loadClassifier(undefined, { threads: 1 });
  const { preprocessPixels } = await import('../src/preprocess/pipeline.js');
  const tensors = images.slice(0, 256).map((p) => preprocessPixels(p, classifier.info.preprocessing).tensor);
  await classifier.dispose();
  // Both ceilings before and after the server ran: the machine is shared, so the mean of both is the reference.
  const ceilings = async (): Promise<[number, number]> => {
    progress(`serve (${dtype}): in-process ceilings, ${CEILING_IMAGES} images, batch ${MAX_BATCH}, ${threads} threads`);
    return [await ceiling(dtype, threads, images), await sessionCeiling(model, threads, tensors)];
  };
  const before = await ceilings();
  const { child, url } = await startServer(model, threads);
  const inferUrl = `${url}/v2/models/${encodeURIComponent(modelNameOf(model))}/infer`;
  const levels: Omit<ServeLevel, 'ofCeiling'>[] = [];
  try {
    await level(inferUrl, 4, 64, inferBodies(tensors, 1));
    for (const { clients, requests: count, imagesPerRequest } of LEVELS) {
      progress(`serve (${dtype}): ${clients} concurrent clients, ${count} requests of ${imagesPerRequest} image(s)`);
      levels.push(await level(inferUrl, clients, count, inferBodies(tensors, imagesPerRequest)));
    }
  } finally {
    // Waited for: the ceilings after must not share the cores with a draining server.
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  const after = await ceilings();
  const classifyBatchImagesPerSecond = (before[0] + after[0]) / 2;
  const sessionImagesPerSecond = (before[1] + after[1]) / 2;
  const ceilingImagesPerSecond = Math.max(classifyBatchImagesPerSecond, sessionImagesPerSecond);
  return {
    dtype,
    threads,
    classifyBatchImagesPerSecond,
    sessionImagesPerSecond,
    ceilingImagesPerSecond,
    levels: levels.map((l) => ({ ...l, ofCeiling: l.imagesPerSecond / ceilingImagesPerSecond })),
  };
}

export function serveTables(sections: readonly ServeSection[]): string[] {
  return sections.map((section) => {
    const rows = section.levels.map((l) => [
      `${l.clients} client${l.clients === 1 ? '' : 's'}` +
        (l.imagesPerRequest === 1 ? '' : ` × ${l.imagesPerRequest} images`),
      String(l.requests),
      String(l.failed),
      l.imagesPerSecond.toFixed(0),
      `${(l.ofCeiling * 100).toFixed(0)} %`,
      l.p50Ms.toFixed(1),
      l.p99Ms.toFixed(1),
    ]);
    return (
      `nin-sdk serve on loopback, ${section.dtype} model, one image per infer request unless said (binary tensors), ` +
      `${section.threads} ONNX Runtime threads; in-process ceilings (${section.dtype}, batch ${MAX_BATCH}): ` +
      `classifyBatch ${section.classifyBatchImagesPerSecond.toFixed(0)} images/s, a session with the worker's ` +
      `options ${section.sessionImagesPerSecond.toFixed(0)} images/s; rated against the higher\n` +
      formatTable(['concurrency', 'requests', 'failed', 'images/s', 'of ceiling', 'p50 ms', 'p99 ms'], rows)
    );
  });
}
