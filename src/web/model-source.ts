import { type ModelDtype, ModelError } from '../model/index.js';
import type { ProgressCallback } from '../classifier/index.js';

/**
 * Where the default CIFAR-10 model is fetched from when none is given: `nin-cifar10.onnx` next to the page
 * (resolved against the document's base URL). The package ships it as `nin-sdk/models/nin-cifar10.onnx`; a page
 * serves a copy of it (see examples/web). A fixed, relative URL rather than `new URL(…, import.meta.url)`,
 * because bundlers disagree on whether and where they copy such assets.
 *
 * @example
 * ```ts
 * import { DEFAULT_MODEL_URL, loadClassifier } from 'nin-sdk/web';
 * const classifier = await loadClassifier(new URL(DEFAULT_MODEL_URL, 'https://example.com/models/'));
 * ```
 */
export const DEFAULT_MODEL_URL = 'nin-cifar10.onnx';

/**
 * The int8 default model, fetched the same way; the package ships it as `nin-sdk/models/nin-cifar10-int8.onnx`.
 *
 * @example
 * ```ts
 * import { DEFAULT_INT8_MODEL_URL, loadClassifier } from 'nin-sdk/web';
 * const classifier = await loadClassifier(`/models/${DEFAULT_INT8_MODEL_URL}`, { dtype: 'int8' });
 * ```
 */
export const DEFAULT_INT8_MODEL_URL = 'nin-cifar10-int8.onnx';

/**
 * The URL of the embedded model of a precision.
 *
 * @param dtype - the precision
 * @returns the default model's URL, relative to the page
 * @example
 * ```ts
 * import { defaultModelUrl } from 'nin-sdk/web';
 * console.log(defaultModelUrl('int8')); // nin-cifar10-int8.onnx
 * ```
 */
export function defaultModelUrl(dtype: ModelDtype): string {
  return dtype === 'int8' ? DEFAULT_INT8_MODEL_URL : DEFAULT_MODEL_URL;
}

/**
 * A model as the browser entry takes it: a URL, an ONNX file (`File`, `Blob`), or its bytes.
 *
 * @example
 * ```ts
 * import { loadClassifier, type WebModelSource } from 'nin-sdk/web';
 * declare const droppedFile: File;
 * const sources: WebModelSource[] = ['models/nin.onnx', new URL('https://example.com/nin.onnx'), droppedFile];
 * const classifier = await loadClassifier(sources[0]);
 * ```
 */
export type WebModelSource = string | URL | Blob | ArrayBuffer | Uint8Array;

/**
 * A model's bytes and how errors name it.
 *
 * @example
 * ```ts
 * import { readModelBytes, type ModelBytes } from 'nin-sdk/web';
 * const model: ModelBytes = await readModelBytes('models/nin.onnx');
 * console.log(model.source, model.bytes.byteLength);
 * ```
 */
export interface ModelBytes {
  readonly bytes: Uint8Array;
  /** How errors name the model: its URL, file name or `model bytes`. */
  readonly source: string;
}

/**
 * A model's bytes, fetched, read from a file, or as given, the way loadClassifier reads them.
 *
 * @param model - a URL (fetched, relative to the page), a File or Blob, or bytes; default DEFAULT_MODEL_URL
 * @param onProgress - told of the download's bytes as they arrive
 * @returns the bytes and how errors name the model
 * @throws ModelError when the fetch fails or the server answers with an error status
 * @example
 * ```ts
 * import { readModelBytes, readModelInfo } from 'nin-sdk/web';
 * const { bytes, source } = await readModelBytes('models/nin.onnx', (event) => console.log(event));
 * console.log(readModelInfo(bytes, source).labels);
 * ```
 */
export async function readModelBytes(
  model: WebModelSource = DEFAULT_MODEL_URL,
  onProgress?: ProgressCallback,
): Promise<ModelBytes> {
  if (model instanceof Uint8Array) return { bytes: model, source: 'model bytes' };
  if (model instanceof ArrayBuffer) return { bytes: new Uint8Array(model), source: 'model bytes' };
  if (model instanceof Blob) {
    const source = typeof File !== 'undefined' && model instanceof File ? model.name : 'model blob';
    return { bytes: new Uint8Array(await model.arrayBuffer()), source };
  }
  const url = new URL(model, baseUrl()).href;
  const response = await fetch(url).catch((error: unknown) => {
    throw new ModelError(`cannot fetch the model ${url}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  });
  if (!response.ok) {
    throw new ModelError(
      `cannot fetch the model ${url}: HTTP ${response.status} ${response.statusText}`.trim() +
        (model === DEFAULT_MODEL_URL || model === DEFAULT_INT8_MODEL_URL
          ? ` (serve nin-sdk/models/${model} next to the page, or pass a model)`
          : ''),
    );
  }
  return { bytes: await readBody(response, url, onProgress), source: url };
}

/** The response's bytes, read chunk by chunk when someone is told of the progress. */
async function readBody(
  response: Response,
  source: string,
  onProgress: ProgressCallback | undefined,
): Promise<Uint8Array> {
  if (onProgress === undefined || response.body === null) return new Uint8Array(await response.arrayBuffer());
  const length = Number(response.headers.get('content-length'));
  // A compressed response's Content-Length counts compressed bytes: then the total is unknown.
  const total =
    Number.isSafeInteger(length) && length > 0 && response.headers.get('content-encoding') === null
      ? length
      : undefined;
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  onProgress({ stage: 'load', source, loaded, total });
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    onProgress({ stage: 'load', source, loaded, total });
  }
  const bytes = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** The page's base URL in a window, the script's location in a worker. */
function baseUrl(): string {
  return typeof document !== 'undefined' ? document.baseURI : globalThis.location.href;
}
