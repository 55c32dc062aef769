import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex, Writable } from 'node:stream';
import { NIN_SDK_VERSION } from '../version.js';
import { AccessLog } from './access-log.js';
import type { BatchingOptions } from './batcher.js';
import { classifyImages, type ImageDecoding } from './classify-images.js';
import { answerClientError } from './client-error.js';
import { PixelBudget } from './pixel-budget.js';
import { PreprocessPool } from './preprocess-pool.js';
import { physicalCoreCount } from '../io/index.js';
import { HttpError } from './http-error.js';
import { describeListenFailure, ListenError } from './listen-error.js';
import { encodeInferResponse } from './infer-response.js';
import { inferBodyLimit } from './infer-limits.js';
import { decodeInferRequest } from './infer-request.js';
import { ServerMetrics } from './metrics.js';
import { parseMultipart, type FilePart } from './multipart.js';
import { HEADER_LENGTH_HEADER, type ServerMetadata } from './protocol.js';
import { readBody } from './read-body.js';
import { MODEL_VERSION, ServedModel, type ServedModelOptions } from './served-model.js';
import { tritonConfigJson, tritonModelConfig } from './triton/config.js';

export interface ServeOptions extends ServedModelOptions, BatchingOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Largest request body accepted (bytes); 413 past it. */
  readonly bodyLimitBytes: number;
  /** Time a client has to send its request headers (ms): slow-header clients are cut off. */
  readonly headersTimeoutMs: number;
  /** Time a client has to send its whole request (ms). */
  readonly requestTimeoutMs: number;
  /** On shutdown, how long in-flight requests may take before connections are cut (ms). */
  readonly drainTimeoutMs: number;
  /** Largest image the image route decodes, in pixels (as its header states them). */
  readonly maxPixels: number;
  /**
   * Most pixels the image route decodes for one request, all its images together; also the most decoded at once
   * across all requests (the others wait their turn).
   */
  readonly maxRequestPixels: number;
  /** Default `top` of the image route. */
  readonly top: number;
  /** Where the JSON-lines access log goes; undefined for none. */
  readonly log?: Writable;
}

export interface ModelSource {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** Path or description, for messages. */
  readonly source: string;
}

/** The protocol's extensions this server implements. */
const EXTENSIONS = ['binary_tensor_data'];

const MODEL_ROUTE = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(?:\/(ready|infer|config|classify))?\/?$/;

interface RequestContext {
  route: string;
  model?: string;
  error?: string;
}

/** A request being answered on a connection, for a client error (408 …) that node:http reports on the socket. */
interface InFlight {
  readonly response: ServerResponse;
  readonly context: RequestContext;
  /** The status of node:http's own answer, when a client error cut the request short. */
  clientErrorStatus?: number;
}

/**
 * `nin-sdk serve`: the Open Inference Protocol's REST endpoints (KServe v2, as Triton speaks them) over
 * node:http, inference in worker threads behind a dynamic batcher, Prometheus metrics, a JSON access log and
 * a graceful drain. Every error is a JSON `{"error": …}` without internals.
 */
export class InferenceServer {
  private readonly models = new Map<string, ServedModel>();
  private readonly log: AccessLog;
  private readonly server: Server;
  private active = 0;
  private readonly idleWaiters: (() => void)[] = [];
  private shuttingDown: Promise<void> | undefined;
  /**
   * The image route's decoding: worker threads (started on its first image), and a budget of pixels decoded at once
   * by all requests together, as many as one request may decode.
   */
  private readonly decoding: ImageDecoding;
  private readonly inFlight = new WeakMap<Duplex, InFlight>();

  private constructor(
    models: readonly ServedModel[],
    private readonly options: ServeOptions,
    readonly metrics: ServerMetrics,
  ) {
    for (const model of models) this.models.set(model.name, model);
    this.decoding = {
      budget: new PixelBudget(options.maxRequestPixels),
      pool: new PreprocessPool(physicalCoreCount()),
    };
    this.log = new AccessLog(options.log);
    this.server = createServer(
      {
        headersTimeout: options.headersTimeoutMs,
        requestTimeout: options.requestTimeoutMs,
        keepAliveTimeout: 5000,
        // Node checks those two timeouts every 30 s by default: too coarse for limits of a few seconds.
        connectionsCheckingInterval: Math.max(100, Math.min(1000, options.headersTimeoutMs / 4)),
      },
      (request, response) => void this.handle(request, response),
    );
    this.server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => this.clientError(error, socket));
  }

  /** Loads the models (each in its own workers) and listens. */
  static async start(sources: readonly ModelSource[], options: ServeOptions): Promise<InferenceServer> {
    const metrics = new ServerMetrics();
    const models: ServedModel[] = [];
    try {
      for (const { name, bytes, source } of sources) {
        if (models.some((m) => m.name === name)) throw new HttpError(500, `two models are named '${name}'`);
        models.push(await ServedModel.load(name, bytes, source, options, metrics.observerFor(name)));
      }
    } catch (error) {
      await Promise.all(models.map((m) => m.stop()));
      throw error instanceof HttpError ? new Error(error.message) : error;
    }
    const server = new InferenceServer(models, options, metrics);
    try {
      await new Promise<void>((resolve, reject) => {
        server.server.once('error', reject);
        server.server.listen(options.port, options.host, () => {
          server.server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      // The workers would keep the process alive, up but not listening: a supervisor would take it for healthy.
      await Promise.all(models.map((m) => m.stop()));
      throw new ListenError(describeListenFailure(error, options.host, options.port));
    }
    server.log.event('listening', { url: server.url, models: [...server.models.keys()] });
    return server;
  }

  get url(): string {
    const { address, port } = this.server.address() as AddressInfo;
    return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  }

  get modelNames(): readonly string[] {
    return [...this.models.keys()];
  }

  /** What the operator should know at start: models whose nin-sdk metadata is broken (they serve infer only). */
  get warnings(): readonly string[] {
    return [...this.models.values()].flatMap((m) =>
      m.metadataProblem === undefined
        ? []
        : [
            `model '${m.name}': its nin-sdk metadata is unusable, so it serves infer only, not the image route: ${m.metadataProblem}`,
          ],
    );
  }

  model(name: string): ServedModel | undefined {
    return this.models.get(name);
  }

  get draining(): boolean {
    return this.shuttingDown !== undefined;
  }

  /**
   * Graceful stop (SIGTERM): no new connections; requests already received, queued or running are answered
   * (each with `Connection: close`); then the workers stop. Past drainTimeoutMs, connections are cut.
   */
  shutdown(): Promise<void> {
    this.shuttingDown ??= (async () => {
      this.log.event('draining', { inFlight: this.active });
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      const idle =
        this.active === 0 ? Promise.resolve() : new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.options.drainTimeoutMs)));
      await Promise.race([idle, timeout]);
      clearTimeout(timer);
      this.server.closeAllConnections();
      await closed;
      await Promise.all([...[...this.models.values()].map((m) => m.stop()), this.decoding.pool.close()]);
      this.log.event('stopped', { unanswered: this.active });
    })();
    return this.shuttingDown;
  }

  /**
   * A request that node:http cut short (past requestTimeout or headersTimeout, malformed): answered as node would,
   * and that status logged, on the request's own record when one is in flight, else on a record of its own.
   */
  private clientError(error: NodeJS.ErrnoException, socket: Duplex): void {
    const current = this.inFlight.get(socket);
    const status = answerClientError(error, socket, current?.response.headersSent ?? false);
    if (current !== undefined) {
      if (status !== undefined) current.clientErrorStatus = status;
      current.context.error ??= error.code ?? error.message;
      return;
    }
    if (status === undefined) return;
    this.metrics.requests.inc({ route: 'unknown', code: String(status) });
    this.metrics.failures.inc({ route: 'unknown', code: String(status) });
    this.log.write({
      time: new Date().toISOString(),
      remote: (socket as Socket).remoteAddress,
      method: undefined,
      path: undefined,
      status,
      ms: 0,
      bytesIn: 0,
      bytesOut: (socket as Socket).bytesWritten,
      error: error.code ?? error.message,
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = performance.now();
    const context: RequestContext = { route: 'unknown' };
    let bytesIn = 0;
    const socket = request.socket;
    const remote = socket.remoteAddress;
    // What the connection has sent before this response: the difference at the end is this response's bytes,
    // status line and headers included, whether our answer or node:http's own 408.
    const bytesBefore = socket.bytesWritten;
    const inFlight: InFlight = { response, context };
    this.inFlight.set(socket, inFlight);
    request.on('data', (chunk: Buffer) => (bytesIn += chunk.length));
    this.active++;
    response.once('close', () => {
      if (this.inFlight.get(socket) === inFlight) this.inFlight.delete(socket);
      const seconds = (performance.now() - started) / 1000;
      // The status line that went out: ours, node:http's answer to a client error, or none (0) when the
      // connection closed first. response.statusCode alone says 200 for a request node answered with 408.
      const status = response.headersSent ? response.statusCode : (inFlight.clientErrorStatus ?? 0);
      this.metrics.requests.inc({ route: context.route, code: String(status) });
      if (status >= 400) this.metrics.failures.inc({ route: context.route, code: String(status) });
      this.metrics.requestSeconds.observe(seconds, { route: context.route });
      this.log.write({
        time: new Date().toISOString(),
        remote,
        method: request.method,
        path: request.url,
        status,
        ms: Math.round(seconds * 1e4) / 10,
        bytesIn,
        bytesOut: socket.bytesWritten - bytesBefore,
        ...(context.model === undefined ? {} : { model: context.model }),
        ...(context.error === undefined ? {} : { error: context.error }),
        ...(response.writableFinished ? {} : { aborted: true }),
      });
      this.active--;
      if (this.active === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    });
    try {
      if (this.draining) response.setHeader('Connection', 'close');
      await this.route(request, response, context);
    } catch (error) {
      const known = error instanceof HttpError ? error : undefined;
      context.error = known
        ? known.message
        : `internal error: ${error instanceof Error ? error.message : String(error)}`;
      if (response.headersSent) {
        response.destroy();
        return;
      }
      send(response, known?.status ?? 500, { error: known ? known.message : 'internal error' }, known?.headers);
    }
  }

  private async route(request: IncomingMessage, response: ServerResponse, context: RequestContext): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const method = request.method ?? 'GET';
    const get = (): void => allow(method, 'GET');
    switch (path) {
      case '/v2/health/live':
        context.route = 'health';
        get();
        return sendEmpty(response, 200);
      case '/v2/health/ready':
        context.route = 'health';
        get();
        return sendEmpty(response, this.draining ? 400 : 200);
      case '/v2':
      case '/v2/':
        context.route = 'server';
        get();
        return send(response, 200, {
          name: 'nin-sdk',
          version: NIN_SDK_VERSION,
          extensions: EXTENSIONS,
        } satisfies ServerMetadata);
      case '/metrics':
        context.route = 'metrics';
        get();
        return sendText(response, this.metrics.render());
      case '/classify':
        context.route = 'classify';
        return this.classify(request, response, this.models.values().next().value!, context);
    }
    const match = MODEL_ROUTE.exec(path);
    if (match === null) throw new HttpError(404, `no such endpoint: ${method} ${path}`);
    const [, name, version, action] = match;
    context.route = action ?? 'metadata';
    const model = this.findModel(
      decodeURIComponent(name!),
      version === undefined ? undefined : decodeURIComponent(version),
    );
    context.model = model.name;
    switch (action) {
      case undefined:
        context.route = 'metadata';
        get();
        return send(response, 200, model.metadata);
      case 'ready':
        context.route = 'ready';
        get();
        return sendEmpty(response, this.draining ? 400 : 200);
      case 'config':
        context.route = 'config';
        get();
        return send(response, 200, tritonConfigJson(tritonModelConfig(model, { maxBatchSize: model.maxBatchSize })));
      case 'infer':
        context.route = 'infer';
        return this.infer(request, response, model);
      default:
        context.route = 'classify';
        return this.classify(request, response, model, context);
    }
  }

  private findModel(name: string, version: string | undefined): ServedModel {
    const model = this.models.get(name);
    if (model === undefined)
      throw new HttpError(
        404,
        `unknown model '${name}': this server has ${[...this.models.keys()].map((n) => `'${n}'`).join(', ')}`,
      );
    if (version !== undefined && version !== MODEL_VERSION)
      throw new HttpError(404, `model '${name}' has no version '${version}': it has '${MODEL_VERSION}'`);
    return model;
  }

  private async infer(request: IncomingMessage, response: ServerResponse, model: ServedModel): Promise<void> {
    allow(request.method, 'POST');
    const headerValue = request.headers[HEADER_LENGTH_HEADER];
    const headerLength = Array.isArray(headerValue) ? headerValue[0] : headerValue;
    // Bounded by what the model can take, before anything is read (a malformed header is said after: bound as JSON).
    const jsonLength = headerLength !== undefined && /^\d+$/.test(headerLength) ? Number(headerLength) : undefined;
    const limit = inferBodyLimit(model, jsonLength, this.options.bodyLimitBytes);
    const body = await readBody(request, limit.bytes, limit.reason);
    const decoded = decodeInferRequest(body, headerLength, {
      name: model.name,
      input: model.input,
      outputs: model.metadata.outputs,
      maxBatchSize: model.maxBatchSize,
      ...(model.info?.classMaps === undefined ? {} : { mapsOutput: model.info.classMaps.value }),
    });
    const outputs = await model.batcher.submit(decoded.rows, decoded.bytes);
    const { body: out, headers } = encodeInferResponse(model.name, MODEL_VERSION, decoded, outputs);
    response.writeHead(200, { ...headers, 'Content-Length': String(out.length) });
    response.end(out);
  }

  private async classify(
    request: IncomingMessage,
    response: ServerResponse,
    model: ServedModel,
    context: RequestContext,
  ): Promise<void> {
    context.model = model.name;
    allow(request.method, 'POST');
    const url = new URL(request.url ?? '/', 'http://localhost');
    const topText = url.searchParams.get('top');
    const top = topText === null ? this.options.top : Number(topText);
    if (!Number.isInteger(top) || top < 1 || top > 1000)
      throw new HttpError(400, `top must be an integer from 1 to 1000, got ${JSON.stringify(topText)}`);
    const mapsText = url.searchParams.get('maps');
    if (mapsText !== null && mapsText !== '0' && mapsText !== '1')
      throw new HttpError(400, `maps must be 0 or 1, got ${JSON.stringify(mapsText)}`);
    const body = await readBody(request, this.options.bodyLimitBytes);
    const type = request.headers['content-type'] ?? '';
    const images: FilePart[] = /^multipart\/form-data/i.test(type)
      ? parseMultipart(body, type)
      : [{ name: 'body', bytes: body }];
    if (images.some((i) => i.bytes.length === 0)) throw new HttpError(400, 'an empty image was sent');
    send(response, 200, await classifyImages(model, images, top, this.options, this.decoding, mapsText === '1'));
  }
}

function allow(method: string | undefined, allowed: string): void {
  if (method !== allowed && !(allowed === 'GET' && method === 'HEAD')) {
    throw new HttpError(405, `this endpoint takes ${allowed}, not ${method}`, { Allow: allowed });
  }
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const bytes = Buffer.from(JSON.stringify(body));
  response.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json',
    'Content-Length': String(bytes.length),
  });
  response.end(bytes);
}

function sendText(response: ServerResponse, text: string): void {
  const bytes = Buffer.from(text);
  response.writeHead(200, {
    'Content-Type': 'text/plain; version=0.0.4; charset=utf-8',
    'Content-Length': String(bytes.length),
  });
  response.end(bytes);
}

function sendEmpty(response: ServerResponse, status: number): void {
  response.writeHead(status, { 'Content-Length': '0' });
  response.end();
}
