import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { intraOpThreads, readRegularFile } from '../../io/index.js';
import { DEFAULT_MODEL_FILE, defaultModelPath } from '../../node/index.js';
import { MODEL_DTYPES, type ModelDtype } from '../../model/index.js';
import { embeddedModelDtype, parseProviders } from '../../runtime/index.js';
import { DEFAULT_MAX_PIXELS } from '../../preprocess/node/index.js';
import { InferenceServer, type ModelSource, modelNameOf } from '../../serve/index.js';
import { choiceOption, integerOption, parseCommandLine } from '../args.js';
import { UsageError } from '../errors.js';
import { terminalSafe } from '../terminal-text.js';

export const SERVE_HELP = `Usage: nin-sdk serve [options]

Serves models over the Open Inference Protocol (KServe v2 REST, as Triton speaks it):
  GET  /v2/health/live, /v2/health/ready, /v2
  GET  /v2/models/<name>[/versions/1], …/ready, …/config
  POST /v2/models/<name>[/versions/1]/infer      JSON tensors or the binary tensor data extension
  POST /v2/models/<name>/classify[?top=k]         an encoded image (raw body or multipart/form-data) →
                                                  the JSON of 'nin-sdk predict --json'; /classify: first model
  GET  /metrics                                   Prometheus metrics
Each model is named after its file; the embedded one is served as nin-cifar10.

Options:
  --model <file.onnx>        a model to serve; repeat for several (default: the embedded CIFAR-10 NIN, the
                             precision predict uses: int8 on cpu, fp32 on cuda and webgpu)
  --dtype <fp32|int8>        the embedded model's precision (not with --model)
  --host <address>           address to listen on (default 127.0.0.1)
  --port <n>                 port (default 8000; 0 picks a free one)
  --workers <n>              inference worker threads per model (default 1)
  --threads <n>              ONNX Runtime intra-op threads per worker (default: one per physical core)
  --provider <list>          cpu, cuda or webgpu, or an ordered list (default cpu)
  --strict                   fail if the first provider cannot start instead of falling back
  --max-batch-size <n>       most images per ONNX Runtime run (default 64)
  --max-queue-delay <ms>     how long a request waits for others to join its batch (default 0)
  --max-queue <n>            most images waiting; beyond, 503 with Retry-After (default 1024)
  --timeout <ms>             per request, arrival to answer; 504 past it (default 30000)
  --body-limit <bytes>       largest request body; 413 past it (default 67108864)
  --headers-timeout <ms>     time to send the request headers (default 10000)
  --request-timeout <ms>     time to send the whole request (default 60000)
  --drain-timeout <ms>       on SIGTERM, how long in-flight requests may finish (default 30000)
  --max-pixels <n>           largest image the image route decodes, width × height (default 100000000);
                             413 past it, checked on the image's header before decoding
  --max-request-pixels <n>   most pixels the image route decodes for one request, all its images
                             together (default: --max-pixels); 413 past it. Also the most decoded at
                             once by all requests together: images beyond wait their turn
The image route decodes JPEG, PNG, WebP, GIF (first frame), TIFF (first page) and BMP, recognised by their
bytes; SVG and other formats are refused before any decoder sees them.
  --top <n>                  default classes per image on the image route (default 3)
  --log <file>               append the JSON-lines access log there (default: stderr); '-' for none
  -h, --help                 show this help

SIGTERM or SIGINT: stop accepting, answer every request already received, then exit.`;

export async function runServe(argv: readonly string[]): Promise<number> {
  const { values } = parseCommandLine(() =>
    parseArgs({
      args: [...argv],
      options: {
        model: { type: 'string', multiple: true },
        dtype: { type: 'string' },
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string' },
        workers: { type: 'string' },
        threads: { type: 'string' },
        provider: { type: 'string' },
        strict: { type: 'boolean', default: false },
        'max-batch-size': { type: 'string' },
        'max-queue-delay': { type: 'string' },
        'max-queue': { type: 'string' },
        timeout: { type: 'string' },
        'body-limit': { type: 'string' },
        'headers-timeout': { type: 'string' },
        'request-timeout': { type: 'string' },
        'drain-timeout': { type: 'string' },
        top: { type: 'string' },
        'max-pixels': { type: 'string' },
        'max-request-pixels': { type: 'string' },
        log: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }),
  );
  if (values.help) {
    console.log(SERVE_HELP);
    return 0;
  }
  const providers = parseProviders(values.provider, 'node');
  const dtype = choiceOption('dtype', values.dtype, MODEL_DTYPES);
  if (dtype !== undefined && values.model !== undefined)
    throw new UsageError('--dtype chooses the embedded model, not with --model');
  const sources: ModelSource[] =
    values.model === undefined
      ? [await embeddedModelSource(embeddedModelDtype(dtype, providers))]
      : await Promise.all(
          values.model.map(async (path) => ({
            name: modelNameOf(path),
            bytes: await readRegularFile(path),
            source: path,
          })),
        );
  const log =
    values.log === '-'
      ? undefined
      : values.log === undefined
        ? process.stderr
        : createWriteStream(values.log, { flags: 'a' });
  const maxPixels = integerOption('max-pixels', values['max-pixels'], DEFAULT_MAX_PIXELS, 1, Number.MAX_SAFE_INTEGER);
  const maxRequestPixels = integerOption(
    'max-request-pixels',
    values['max-request-pixels'],
    maxPixels,
    1,
    Number.MAX_SAFE_INTEGER,
  );
  const server = await InferenceServer.start(sources, {
    host: values.host,
    port: integerOption('port', values.port, 8000, 0, 65535),
    workers: integerOption('workers', values.workers, 1, 1, 64),
    threads: integerOption('threads', values.threads, intraOpThreads(), 1, 1024),
    providers,
    strict: values.strict,
    maxBatchSize: integerOption('max-batch-size', values['max-batch-size'], 64, 1, 4096),
    maxQueueDelayMs: integerOption('max-queue-delay', values['max-queue-delay'], 0, 0, 10_000),
    maxQueueRows: integerOption('max-queue', values['max-queue'], 1024, 1, 1_000_000),
    timeoutMs: integerOption('timeout', values.timeout, 30_000, 1, 3_600_000),
    bodyLimitBytes: integerOption('body-limit', values['body-limit'], 64 * 1024 * 1024, 1024, 2 ** 31 - 1),
    headersTimeoutMs: integerOption('headers-timeout', values['headers-timeout'], 10_000, 1, 3_600_000),
    requestTimeoutMs: integerOption('request-timeout', values['request-timeout'], 60_000, 1, 3_600_000),
    drainTimeoutMs: integerOption('drain-timeout', values['drain-timeout'], 30_000, 0, 3_600_000),
    maxPixels,
    maxRequestPixels,
    top: integerOption('top', values.top, 3, 1, 1000),
    log,
  });
  // Once, before the listening line; the text may quote the model's own metadata, hence terminalSafe.
  // The signal handlers come before the line that says the server is up: a supervisor (or a test) that stops the
  // server as soon as it reads that line must get the drain, not the default action (seen under load: the process
  // was preempted between the write and the handlers, and died of the SIGTERM).
  const stopped = new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      void server.shutdown().then(resolve);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  for (const warning of server.warnings) console.error(`nin-sdk serve: warning: ${terminalSafe(warning)}`);
  console.error(
    `nin-sdk serve: ${server.modelNames.join(', ')} on ${server.url} (SIGTERM or Ctrl-C stops it after answering in-flight requests)`,
  );
  await stopped;
  if (log !== undefined && log !== process.stderr) await new Promise<void>((resolve) => log.end(resolve));
  return 0;
}

/** The embedded model, served as 'nin-cifar10' in either precision: the name connect() and the docs expect. */
async function embeddedModelSource(dtype: ModelDtype): Promise<ModelSource> {
  const path = defaultModelPath(dtype);
  return { name: modelNameOf(DEFAULT_MODEL_FILE), bytes: await readRegularFile(path), source: path };
}
