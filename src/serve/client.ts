/**
 * `connect(url)`: a classifier on a remote Open Inference Protocol server (`nin-sdk serve`, Triton, KServe). It
 * speaks only the protocol: model metadata for the input's name, datatype and shape, the model config's
 * parameters for the labels and preprocessing (as `nin-sdk export triton` writes them), and `infer` with binary
 * tensor data. Images are decoded and preprocessed here, so the server needs only the model.
 */
import { rankClasses, softmaxRow, type Prediction } from '../classifier/index.js';
import { METADATA_KEYS, ModelError } from '../model/index.js';
import { decodeImage, preprocessImage, type DecodeOptions, type ImageInput } from '../preprocess/node/index.js';
import { resizeAndCropPixels, type RawPixels, specChannels, type PreprocessSpec } from '../preprocess/index.js';
import { DATATYPES, elementCount, isDatatype, type NumericArray } from '../runtime/index.js';
import { HEADER_LENGTH_HEADER, type InferenceResponse, type ModelMetadata } from './protocol.js';

export type { ModelMetadata, TensorMetadata } from './protocol.js';

/**
 * A failure reported by, or in reaching, the server.
 *
 * @example
 * ```ts
 * import { connect, ServerError } from 'nin-sdk';
 * try {
 *   await connect('http://localhost:8000');
 * } catch (error) {
 *   if (error instanceof ServerError) console.error(error.message);
 * }
 * ```
 */
export class ServerError extends Error {
  override readonly name = 'ServerError';
}

/**
 * How `connect` talks to the server: the model's name, batching, time and size limits.
 *
 * @example
 * ```ts
 * import { connect, type ConnectOptions } from 'nin-sdk';
 * const options: ConnectOptions = { model: 'nin-cifar10', batchSize: 8, timeoutMs: 10_000 };
 * const remote = await connect('http://localhost:8000', options);
 * ```
 */
export interface ConnectOptions {
  /** The model's name on the server (default 'nin-cifar10', the name `nin-sdk serve` gives the embedded model). */
  readonly model?: string;
  /** Images per infer request (default 32, at most the server's max_batch_size). */
  readonly batchSize?: number;
  /** Per HTTP request, in ms (default 60000). */
  readonly timeoutMs?: number;
  /** Largest image decoded, in pixels (default 100 megapixels). */
  readonly maxPixels?: number;
  /** How the size error names maxPixels (default `maxPixels`; `nin-sdk predict` passes `--max-pixels`). */
  readonly maxPixelsName?: string;
  /**
   * Largest answer read from the server, in bytes (default 64 MiB, far above any classifier's: a batch of 32
   * ImageNet score rows as JSON is under 1 MB). Past it the request fails with a ServerError and nothing more is
   * read: a broken or hostile server cannot make the client hold an unbounded answer.
   */
  readonly maxResponseBytes?: number;
}

/** ConnectOptions.maxResponseBytes's default. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/**
 * What a server's model configuration says of the model (as `nin-sdk export triton` writes it).
 *
 * @example
 * ```ts
 * import { connect, type RemoteModelInfo } from 'nin-sdk';
 * const info: RemoteModelInfo = (await connect('http://localhost:8000')).info;
 * console.log(info.family, info.labels.length, info.preprocessing.inputSize);
 * ```
 */
export interface RemoteModelInfo {
  readonly family: string;
  readonly labels: readonly string[];
  readonly preprocessing: PreprocessSpec;
  readonly outputs: { readonly logits: string; readonly probabilities: string };
}

/**
 * A remote classification: a local one's shape, with the server that computed it as its provider.
 *
 * @example
 * ```ts
 * import { connect, type RemotePredictions } from 'nin-sdk';
 * const result: RemotePredictions = await (await connect('http://localhost:8000')).classify('cat.jpg');
 * console.log(result.top[0]?.label, result.provider); // 'cat' 'server http://localhost:8000'
 * ```
 */
export interface RemotePredictions {
  /** The `top` most probable classes, most probable first. */
  readonly top: readonly Prediction[];
  /** `server <url>`: where the scores were computed. */
  readonly provider: string;
}

/**
 * What `connect` returns: the shape of a local classifier, computed by the server.
 *
 * @example
 * ```ts
 * import { connect } from 'nin-sdk';
 * const remote = await connect('http://localhost:8000', { model: 'nin-cifar10' });
 * const results = await remote.classifyBatch(['cat.jpg', 'dog.jpg'], { top: 3 });
 * ```
 */
export class RemoteClassifier {
  /** Where the scores are computed, for reports: the server's URL. */
  readonly provider: string;
  readonly fallbacks = [] as const;

  private constructor(
    readonly url: string,
    readonly metadata: ModelMetadata,
    readonly info: RemoteModelInfo,
    private readonly options: ConnectOptions,
    private readonly maxBatchSize: number,
  ) {
    this.provider = `server ${url}`;
  }

  static async connect(url: string, options: ConnectOptions = {}): Promise<RemoteClassifier> {
    const base = url.replace(/\/+$/, '');
    const name = options.model ?? 'nin-cifar10';
    const modelUrl = `${base}/v2/models/${encodeURIComponent(name)}`;
    const metadata = (await requestJson(modelUrl, options)) as ModelMetadata;
    const config = (await requestJson(`${modelUrl}/config`, options)) as {
      max_batch_size?: number;
      parameters?: Record<string, { string_value?: string }>;
    };
    const info = modelInfoFromConfig(name, config.parameters ?? {});
    const input = metadata.inputs?.[0];
    if (
      metadata.inputs?.length !== 1 ||
      input === undefined ||
      !isDatatype(input.datatype) ||
      (input.datatype !== 'FP32' && input.datatype !== 'UINT8')
    ) {
      throw new ModelError(`model '${name}' at ${base} is not an image classifier: it needs one FP32 or UINT8 input`);
    }
    const maxBatchSize = Number(config.max_batch_size ?? 1) || 1;
    return new RemoteClassifier(base, metadata, info, options, maxBatchSize);
  }

  get labels(): readonly string[] {
    return this.info.labels;
  }

  async classify(image: ImageInput, options: { readonly top?: number } = {}): Promise<RemotePredictions> {
    return (await this.classifyBatch([image], options))[0]!;
  }

  async classifyBatch(
    images: readonly ImageInput[],
    options: { readonly top?: number } = {},
  ): Promise<RemotePredictions[]> {
    const top = options.top ?? 5;
    const batch = Math.min(this.options.batchSize ?? 32, this.maxBatchSize);
    const results: RemotePredictions[] = [];
    for (let start = 0; start < images.length; start += batch) {
      const chunk = images.slice(start, start + batch);
      const rows = await Promise.all(chunk.map((image) => this.preprocess(image)));
      const probabilities = await this.probabilities(rows);
      const classes = this.info.labels.length;
      for (let i = 0; i < chunk.length; i++)
        results.push({
          top: rankClasses(probabilities.subarray(i * classes, (i + 1) * classes), this.info.labels, top),
          provider: this.provider,
        });
    }
    return results;
  }

  /** Class probabilities [n × classes] for preprocessed rows (float tensors, or pixels for a UINT8 input). */
  async probabilities(rows: readonly NumericArray[]): Promise<Float32Array> {
    const outputNames = this.metadata.outputs.map((o) => o.name);
    const isProbability = outputNames.includes(this.info.outputs.probabilities);
    const output = isProbability ? this.info.outputs.probabilities : this.info.outputs.logits;
    const scores = await this.infer(rows, output);
    const classes = this.info.labels.length;
    if (scores.length !== rows.length * classes)
      throw new ServerError(`the server gave ${scores.length} scores for ${rows.length} images of ${classes} classes`);
    if (isProbability) return scores;
    const probabilities = new Float32Array(scores.length);
    for (let i = 0; i < rows.length; i++)
      probabilities.set(softmaxRow(scores.subarray(i * classes, (i + 1) * classes)), i * classes);
    return probabilities;
  }

  async dispose(): Promise<void> {}

  private async preprocess(image: ImageInput): Promise<NumericArray> {
    const spec = this.info.preprocessing;
    if (this.metadata.inputs[0]!.datatype === 'FP32')
      return (await preprocessImage(image, spec, this.decoding())).tensor;
    const pixels: RawPixels =
      typeof image === 'string' || image instanceof Uint8Array
        ? (await decodeImage(image, this.decoding())).pixels
        : image;
    const cropped = resizeAndCropPixels(pixels, spec);
    // A grey spec's pixels are already the one byte per pixel its pixel model takes.
    return specChannels(spec) === 1 ? Uint8Array.from(cropped.data) : interleavedRgb(cropped);
  }

  private decoding(): DecodeOptions {
    return { maxPixels: this.options.maxPixels, limitName: this.options.maxPixelsName };
  }

  /** One infer request with binary input and output: `rows` stacked, the named FP32 output returned. */
  private async infer(rows: readonly NumericArray[], output: string): Promise<Float32Array> {
    const input = this.metadata.inputs[0]!;
    const info = DATATYPES[input.datatype];
    const rowLength = elementCount(input.shape.slice(1));
    const data = info.create(rows.length * rowLength);
    rows.forEach((row, i) => {
      if (row.length !== rowLength)
        throw new Error(`internal: a preprocessed image has ${row.length} values, the model's input row ${rowLength}`);
      data.set(row, i * rowLength);
    });
    const header = Buffer.from(
      JSON.stringify({
        inputs: [
          {
            name: input.name,
            shape: [rows.length, ...input.shape.slice(1)],
            datatype: input.datatype,
            parameters: { binary_data_size: data.byteLength },
          },
        ],
        outputs: [{ name: output, parameters: { binary_data: true } }],
      }),
    );
    const response = await request(
      `${this.url}/v2/models/${encodeURIComponent(this.metadata.name)}/infer`,
      this.options,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/octet-stream', [HEADER_LENGTH_HEADER]: String(header.length) },
        body: Buffer.concat([header, Buffer.from(data.buffer, data.byteOffset, data.byteLength)]),
      },
    );
    const body = await readBounded(response, this.options);
    const jsonLength = Number(response.headers.get(HEADER_LENGTH_HEADER) ?? body.length);
    const parsed = JSON.parse(body.subarray(0, jsonLength).toString('utf8')) as InferenceResponse;
    const result = parsed.outputs.find((o) => o.name === output);
    if (result === undefined || result.datatype !== 'FP32')
      throw new ServerError(`the server's answer has no FP32 output '${output}'`);
    if (result.data !== undefined) return Float32Array.from(result.data);
    // Binary outputs follow the JSON in the order of the outputs list.
    let offset = jsonLength;
    for (const o of parsed.outputs) {
      const size = Number(o.parameters?.['binary_data_size'] ?? 0);
      if (o === result)
        return new Float32Array(body.buffer.slice(body.byteOffset + offset, body.byteOffset + offset + size));
      offset += size;
    }
    throw new ServerError('unreachable');
  }
}

/**
 * Connects to a model on an Open Inference Protocol server (`nin-sdk serve`, Triton, KServe); see
 * RemoteClassifier.
 *
 * @param url - the server's base URL (`http://host:port`)
 * @param options - the model's name, batching, limits
 * @returns a classifier whose scores the server computes; images are decoded and preprocessed here
 * @throws ServerError when the server cannot be reached or answers wrongly; ModelError when its model is not an
 *   image classifier
 * @example
 * ```ts
 * import { connect } from 'nin-sdk';
 * const remote = await connect('http://localhost:8000');
 * console.log((await remote.classify('cat.jpg')).top);
 * ```
 */
export function connect(url: string, options: ConnectOptions = {}): Promise<RemoteClassifier> {
  return RemoteClassifier.connect(url, options);
}

function modelInfoFromConfig(name: string, parameters: Record<string, { string_value?: string }>): RemoteModelInfo {
  const text = (key: string): string => {
    const value = parameters[key]?.string_value;
    if (value === undefined) {
      throw new ModelError(
        `model '${name}': the server's model config has no '${key}' parameter (serve it with nin-sdk serve, or export it with nin-sdk export triton)`,
      );
    }
    return value;
  };
  try {
    return {
      family: text(METADATA_KEYS.family),
      labels: JSON.parse(text(METADATA_KEYS.labels)) as string[],
      preprocessing: JSON.parse(text(METADATA_KEYS.preprocessing)) as PreprocessSpec,
      outputs: JSON.parse(
        parameters[METADATA_KEYS.outputs]?.string_value ?? '{"logits":"logits","probabilities":"probabilities"}',
      ) as RemoteModelInfo['outputs'],
    };
  } catch (error) {
    if (error instanceof ModelError) throw error;
    throw new ModelError(`model '${name}': the server's nin.* config parameters are not valid JSON`);
  }
}

/** Pixels (1 or 3 channels) as interleaved RGB bytes, the NHWC row a UINT8 input takes. */
function interleavedRgb(pixels: RawPixels): Uint8Array {
  if (pixels.channels === 3) return new Uint8Array(pixels.data.buffer, pixels.data.byteOffset, pixels.data.length);
  const count = pixels.width * pixels.height;
  const rgb = new Uint8Array(count * 3);
  for (let i = 0; i < count; i++) rgb.fill(pixels.data[i]!, i * 3, i * 3 + 3);
  return rgb;
}

async function request(url: string, options: ConnectOptions, init: RequestInit = {}): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(options.timeoutMs ?? 60_000) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
    throw new ServerError(`cannot reach ${url}: ${why}`);
  }
  if (!response.ok) {
    const text = (await readBounded(response, options)).toString('utf8');
    let message = text.slice(0, 500);
    try {
      message = (JSON.parse(text) as { error?: string }).error ?? message;
    } catch {
      // Not JSON: the text itself.
    }
    throw new ServerError(`${url}: ${response.status} ${message}`);
  }
  return response;
}

async function requestJson(url: string, options: ConnectOptions): Promise<unknown> {
  const body = await readBounded(await request(url, options), options);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new ServerError(`${url}: the answer is not JSON`);
  }
}

/**
 * A response's body, whole, read only up to options.maxResponseBytes: refused from its Content-Length before
 * reading anything when that says more, else as soon as the bytes read pass it; the rest is never read.
 */
async function readBounded(response: Response, options: ConnectOptions): Promise<Buffer> {
  const limit = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const tooLarge = (): ServerError =>
    new ServerError(`${response.url}: the answer is larger than the limit of ${limit} bytes (maxResponseBytes)`);
  const declared = response.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (response.body === null) return Buffer.alloc(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge();
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof ServerError) throw error;
    throw new ServerError(
      `${response.url}: the answer broke off: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return Buffer.concat(chunks, total);
}
