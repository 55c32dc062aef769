import type { ModelDtype } from '../model/dtype.js';
import { ModelError } from '../model/model-info.js';

/**
 * Where the default CIFAR-10 model is fetched from when none is given: `nin-cifar10.onnx` next to the page
 * (resolved against the document's base URL). The package ships it as `nin-sdk/models/nin-cifar10.onnx`; a page
 * serves a copy of it (see examples/web). A fixed, relative URL rather than `new URL(…, import.meta.url)`,
 * because bundlers disagree on whether and where they copy such assets.
 */
export const DEFAULT_MODEL_URL = 'nin-cifar10.onnx';

/** The int8 default model, fetched the same way; the package ships it as `nin-sdk/models/nin-cifar10-int8.onnx`. */
export const DEFAULT_INT8_MODEL_URL = 'nin-cifar10-int8.onnx';

/** The URL of the embedded model of a precision. */
export function defaultModelUrl(dtype: ModelDtype): string {
  return dtype === 'int8' ? DEFAULT_INT8_MODEL_URL : DEFAULT_MODEL_URL;
}

/** A model as the browser entry takes it: a URL, an ONNX file (`File`, `Blob`), or its bytes. */
export type WebModelSource = string | URL | Blob | ArrayBuffer | Uint8Array;

export interface ModelBytes {
  readonly bytes: Uint8Array;
  /** How errors name the model: its URL, file name or `model bytes`. */
  readonly source: string;
}

export async function readModelBytes(model: WebModelSource = DEFAULT_MODEL_URL): Promise<ModelBytes> {
  if (model instanceof Uint8Array) return { bytes: model, source: 'model bytes' };
  if (model instanceof ArrayBuffer) return { bytes: new Uint8Array(model), source: 'model bytes' };
  if (model instanceof Blob) {
    const source = typeof File !== 'undefined' && model instanceof File ? model.name : 'model blob';
    return { bytes: new Uint8Array(await model.arrayBuffer()), source };
  }
  const url = new URL(model, baseUrl()).href;
  const response = await fetch(url).catch((error: unknown) => {
    throw new ModelError(`cannot fetch the model ${url}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  });
  if (!response.ok) {
    throw new ModelError(
      `cannot fetch the model ${url}: HTTP ${response.status} ${response.statusText}`.trim() +
        (model === DEFAULT_MODEL_URL || model === DEFAULT_INT8_MODEL_URL ? ` (serve nin-sdk/models/${model} next to the page, or pass a model)` : ''),
    );
  }
  return { bytes: new Uint8Array(await response.arrayBuffer()), source: url };
}

/** The page's base URL in a window, the script's location in a worker. */
function baseUrl(): string {
  return typeof document !== 'undefined' ? document.baseURI : globalThis.location.href;
}
