/**
 * The serve part of `npm run bench`: `nin-sdk serve` on loopback under 1, 8 and 64 concurrent clients, each
 * sending one CIFAR-10-sized image per infer request (binary tensor data), a fixed number of requests per level,
 * from a lean keep-alive load generator (bench/http-load-client.ts) in this process, on the same cores; then 64
 * clients again against a server with one single-threaded worker per core instead (see ServerLayout). Each level
 * is rated against the in-process ceilings of the same model file measured right before and right after it
 * (bench/serve-ceilings.ts): the higher of classifyBatch and a bare session with the server worker's options. Both
 * embedded models, fp32 and int8: the server is told which file to serve, the ceiling which dtype to load, so that
 * both sides run the same model with the same threads. Besides throughput and latency, each level reports the CPU
 * time per image of the clients and of the server, and the share of the ceiling that those costs leave possible
 * when the two cores are the only limit. Only 127.0.0.1; every loop is bounded by its request count.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { loadClassifier } from '../src/node/classify.js';
import { physicalCoreCount } from '../src/io/cpu-cores.js';
import { defaultModelPath } from '../src/node/default-model.js';
import type { ModelDtype } from '../src/model/dtype.js';
import { modelNameOf } from '../src/serve/served-model.js';
import type { RawPixels } from '../src/preprocess/pixels.js';
import { encodeRequest, runLoad, type LoadRequest } from './http-load-client.js';
import { SDK_CLI } from './paths.js';
import { processCpuMs } from './process-cpu.js';
import { Ceilings, type CeilingSample } from './serve-ceilings.js';
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
/** The CIFAR-10 model's output: 10 float32 scores an image. */
const SCORE_BYTES_PER_IMAGE = 10 * 4;

export interface ServeLevel {
  /** The server's inference workers and ONNX Runtime threads in each. */
  readonly workers: number;
  readonly threadsPerWorker: number;
  readonly clients: number;
  readonly requests: number;
  readonly imagesPerRequest: number;
  readonly failed: number;
  readonly seconds: number;
  readonly imagesPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** The ceilings measured just before and just after this level. */
  readonly ceilingsAround: readonly [CeilingSample, CeilingSample];
  /** The higher of classifyBatch and the bare session, each the mean of before and after. */
  readonly ceilingImagesPerSecond: number;
  /** imagesPerSecond / ceilingImagesPerSecond. */
  readonly ofCeiling: number;
  /** CPU time of the load generator (this process) per image. */
  readonly clientCpuMsPerImage: number;
  /** CPU time of the server process (all its threads) per image; undefined without /proc. */
  readonly serverCpuMsPerImage: number | undefined;
  /**
   * The bare session's CPU per image ÷ (the server's + the clients'): the share of the ceiling reachable if the
   * cores were the only limit and the session ran as efficiently when it shares them.
   */
  readonly cpuBound: number | undefined;
  /** 1-minute load average when the level ended. */
  readonly loadAverage: number;
}

export interface ServeSection {
  readonly dtype: ModelDtype;
  readonly threads: number;
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

function startServer(
  model: string,
  { workers, threadsPerWorker }: ServerLayout,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [
      SDK_CLI,
      'serve',
      '--model',
      model,
      '--port',
      '0',
      '--workers',
      String(workers),
      '--threads',
      String(threadsPerWorker),
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

/**
 * How the server spends the cores' threads: serve's default, one worker with every thread (the fastest single
 * request), and one single-threaded worker per core, two batches in flight and no parallel section to stall when
 * another thread takes a core (the clients here, the HTTP thread): the same threads in all.
 */
interface ServerLayout {
  readonly workers: number;
  readonly threadsPerWorker: number;
  readonly levels: readonly LevelRun[];
}

interface LevelRun {
  readonly clients: number;
  readonly requests: number;
  readonly imagesPerRequest: number;
}

async function level(
  inferUrl: URL,
  pid: number,
  { clients, requests, imagesPerRequest }: LevelRun,
  bodies: readonly LoadRequest[],
): Promise<
  Omit<
    ServeLevel,
    'workers' | 'threadsPerWorker' | 'ceilingsAround' | 'ceilingImagesPerSecond' | 'ofCeiling' | 'cpuBound'
  >
> {
  const serverCpuBefore = processCpuMs(pid);
  const run = await runLoad(inferUrl, clients, requests, bodies);
  const serverCpuAfter = processCpuMs(pid);
  const images = requests * imagesPerRequest;
  const latencies = [...run.latenciesMs].sort((a, b) => a - b);
  return {
    clients,
    requests,
    imagesPerRequest,
    failed: run.failed,
    seconds: run.seconds,
    imagesPerSecond: images / run.seconds,
    p50Ms: median(latencies),
    p99Ms: latencies[Math.min(latencies.length - 1, Math.ceil(latencies.length * 0.99) - 1)]!,
    clientCpuMsPerImage: run.clientCpuMs / images,
    serverCpuMsPerImage:
      serverCpuBefore === undefined || serverCpuAfter === undefined
        ? undefined
        : (serverCpuAfter - serverCpuBefore) / images,
    loadAverage: loadavg()[0] ?? 0,
  };
}

export async function runServePart(progress: (line: string) => void): Promise<ServeSection[]> {
  const sections: ServeSection[] = [];
  for (const dtype of ['fp32', 'int8'] as const) sections.push(await runServeDtype(dtype, progress));
  return sections;
}

/** Binary-tensor infer requests of `imagesPerRequest` consecutive tensors each, asking for binary probabilities. */
function inferRequests(inferUrl: URL, tensors: readonly Float32Array[], imagesPerRequest: number): LoadRequest[] {
  const requests: LoadRequest[] = [];
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
    const headers = {
      'Inference-Header-Content-Length': String(header.length),
      'Content-Type': 'application/octet-stream',
    };
    requests.push({
      bytes: encodeRequest('POST', inferUrl, headers, Buffer.concat([header, data])),
      expectedBinaryBytes: imagesPerRequest * SCORE_BYTES_PER_IMAGE,
    });
  }
  return requests;
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
  const ceilings = await Ceilings.load(dtype, model, threads, MAX_BATCH, images, tensors);
  const run: DtypeRun = {
    dtype,
    model,
    tensors,
    progress,
    measureCeilings: () => {
      progress(
        `serve (${dtype}): in-process ceilings, ${CEILING_IMAGES} images, batch ${MAX_BATCH}, ${threads} threads`,
      );
      return ceilings.measure();
    },
  };
  const layouts: ServerLayout[] = [
    { workers: 1, threadsPerWorker: threads, levels: LEVELS },
    ...(threads > 1 ? [{ workers: threads, threadsPerWorker: 1, levels: [LEVELS[2]] }] : []),
  ];
  const levels: ServeLevel[] = [];
  try {
    let before = await run.measureCeilings();
    for (const layout of layouts) before = await runLayout(run, layout, before, levels);
  } finally {
    await ceilings.dispose();
  }
  return { dtype, threads, levels };
}

/** What every level of one model's run shares. */
interface DtypeRun {
  readonly dtype: ModelDtype;
  readonly model: string;
  readonly tensors: readonly Float32Array[];
  readonly progress: (line: string) => void;
  readonly measureCeilings: () => Promise<CeilingSample>;
}

/**
 * Starts a server with `layout`, runs its levels, each followed by a ceiling measurement (the one before a level is
 * the previous level's after), pushes them to `levels` and returns the last ceiling measured.
 */
async function runLayout(
  { dtype, model, tensors, progress, measureCeilings }: DtypeRun,
  layout: ServerLayout,
  ceilingsBefore: CeilingSample,
  levels: ServeLevel[],
): Promise<CeilingSample> {
  let before = ceilingsBefore;
  const { child, url } = await startServer(model, layout);
  try {
    const inferUrl = new URL(`${url}/v2/models/${encodeURIComponent(modelNameOf(model))}/infer`);
    // Warm-up: the server's code is compiled and its buffers grown before anything is timed.
    await runLoad(inferUrl, 8, 256, inferRequests(inferUrl, tensors, 1));
    for (const run of layout.levels) {
      progress(
        `serve (${dtype}, ${layout.workers} × ${layout.threadsPerWorker} threads): ${run.clients} concurrent clients, ${run.requests} requests of ${run.imagesPerRequest} image(s)`,
      );
      const requests = inferRequests(inferUrl, tensors, run.imagesPerRequest);
      const measured = await level(inferUrl, child.pid!, run, requests);
      const after = await measureCeilings();
      const mean = (pick: (c: CeilingSample) => number): number => (pick(before) + pick(after)) / 2;
      const ceilingImagesPerSecond = Math.max(
        mean((c) => c.classifyBatchImagesPerSecond),
        mean((c) => c.sessionImagesPerSecond),
      );
      const sessionCpu = mean((c) => c.sessionCpuMsPerImage);
      levels.push({
        workers: layout.workers,
        threadsPerWorker: layout.threadsPerWorker,
        ...measured,
        ceilingsAround: [before, after],
        ceilingImagesPerSecond,
        ofCeiling: measured.imagesPerSecond / ceilingImagesPerSecond,
        cpuBound:
          measured.serverCpuMsPerImage === undefined
            ? undefined
            : sessionCpu / (measured.serverCpuMsPerImage + measured.clientCpuMsPerImage),
      });
      before = after;
    }
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  return before;
}

export function serveTables(sections: readonly ServeSection[]): string[] {
  const ms = (value: number | undefined): string => (value === undefined ? 'n/a' : value.toFixed(3));
  const percent = (value: number | undefined): string =>
    value === undefined ? 'n/a' : `${(value * 100).toFixed(0)} %`;
  return sections.map((section) => {
    const rows = section.levels.map((l) => [
      `${l.clients} client${l.clients === 1 ? '' : 's'}` +
        (l.imagesPerRequest === 1 ? '' : ` × ${l.imagesPerRequest} images`) +
        (l.workers === 1 ? '' : `, ${l.workers} workers × ${l.threadsPerWorker}`),
      String(l.requests),
      String(l.failed),
      l.imagesPerSecond.toFixed(0),
      l.ceilingImagesPerSecond.toFixed(0),
      percent(l.ofCeiling),
      l.p50Ms.toFixed(1),
      l.p99Ms.toFixed(1),
      ms(l.serverCpuMsPerImage),
      ms(l.clientCpuMsPerImage),
      ms((l.ceilingsAround[0].sessionCpuMsPerImage + l.ceilingsAround[1].sessionCpuMsPerImage) / 2),
      percent(l.cpuBound),
      l.loadAverage.toFixed(1),
    ]);
    return (
      `nin-sdk serve on loopback, ${section.dtype} model, one image per infer request unless said (binary tensors), ` +
      `${section.threads} ONNX Runtime threads on both sides (the server: 1 worker × ${section.threads} threads unless ` +
      `said). Ceiling: the higher of classifyBatch and a bare session ` +
      `with the worker's options (${section.dtype}, batch ${MAX_BATCH}), measured before and after each level. ` +
      `CPU ms per image: the server process, the load generator, the bare session; CPU bound: session ÷ ` +
      `(server + clients)\n` +
      formatTable(
        [
          'concurrency',
          'requests',
          'failed',
          'images/s',
          'ceiling',
          'of ceiling',
          'p50 ms',
          'p99 ms',
          'server cpu',
          'client cpu',
          'session cpu',
          'cpu bound',
          'load',
        ],
        rows,
      )
    );
  });
}
