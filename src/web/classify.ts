import {
  cachedClassify,
  OrtClassifier,
  type Classifier,
  type ClassifyOptions,
  type Predictions,
  type ProgressCallback,
} from '../classifier/index.js';
import { parseProviders, type WebProvider, embeddedModelDtype } from '../runtime/index.js';
import type { WebImage } from './decode-image.js';
import { parseDtype, type ModelDtype } from '../model/index.js';
import { DEFAULT_MODEL_URL, defaultModelUrl, readModelBytes, type WebModelSource } from './model-source.js';
import { ort, setWasmPaths, type WasmPaths } from './ort-web.js';
import { preprocessImage } from './preprocess.js';

/**
 * A Classifier of the images a browser has: `<img>` elements, files, bitmaps, canvases, ImageData, raw pixels.
 *
 * @example
 * ```ts
 * import { loadClassifier, type WebClassifier } from 'nin-sdk/web';
 * const classifier: WebClassifier = await loadClassifier();
 * const { top } = await classifier.classify(document.querySelector('img')!);
 * ```
 */
export type WebClassifier = Classifier<WebImage>;

/**
 * How the browser entry's loadClassifier loads a model and runs it.
 *
 * @example
 * ```ts
 * import { loadClassifier, type WebLoadClassifierOptions } from 'nin-sdk/web';
 * const options: WebLoadClassifierOptions = { provider: ['webgpu', 'wasm'], wasmPaths: '/ort/', dtype: 'fp32' };
 * const classifier = await loadClassifier('nin-cifar10.onnx', options);
 * ```
 */
export interface WebLoadClassifierOptions {
  /**
   * One provider or an ordered list ('webgpu' | 'wasm'); default 'wasm'. The first that starts runs the model,
   * wasm is the last resort unless `strict`; `classifier.provider` says which ran, `classifier.fallbacks` why the
   * others did not.
   */
  readonly provider?: WebProvider | readonly WebProvider[];
  /** Fail when the first provider cannot start instead of falling back (default false). */
  readonly strict?: boolean;
  /** Images per ONNX Runtime run in classifyBatch (default 32). */
  readonly batchSize?: number;
  /** Largest encoded image decoded, in pixels, checked on its header first (default 100 megapixels). */
  readonly maxPixels?: number;
  /**
   * Where onnxruntime-web's `ort-wasm-simd-threaded.asyncify.wasm` and `.asyncify.mjs` are served: a folder URL
   * ending in '/' (absolute, e.g. `new URL('ort/', document.baseURI).href`) or `{ wasm, mjs }` file URLs. Default:
   * onnxruntime-web's own rule (next to the script that bundles it). Read once, when the page's first session starts.
   */
  readonly wasmPaths?: WasmPaths;
  /**
   * 'fp32' | 'int8': which default model to fetch (default: int8 on wasm, fp32 on webgpu, whose QuantizeLinear
   * falls back to the CPU; see docs/int8.md). With a model of your own, the model's precision must be this one.
   */
  readonly dtype?: ModelDtype;
  /**
   * Told of the model's download (bytes so far, of Content-Length when the server sends one), each provider tried
   * (the first session also fetches onnxruntime-web's WebAssembly) and the one that runs: see ProgressEvent.
   */
  readonly onProgress?: ProgressCallback;
}

/**
 * Options of the browser entry's one-call `classify`: which model, how to load it, how many classes to return.
 *
 * @example
 * ```ts
 * import { classify, type WebClassifyOptions } from 'nin-sdk/web';
 * declare const file: File;
 * const options: WebClassifyOptions = { model: 'models/nin.onnx', top: 3, wasmPaths: '/ort/' };
 * const { top } = await classify(file, options);
 * ```
 */
export interface WebClassifyOptions extends ClassifyOptions, WebLoadClassifierOptions {
  /** An ONNX model written by nin-convert (URL, File, bytes); default `DEFAULT_MODEL_URL` next to the page. */
  readonly model?: WebModelSource;
}

/**
 * Loads a model (default: `nin-cifar10-int8.onnx` or `nin-cifar10.onnx` next to the page, by dtype) on the first provider that starts.
 *
 * @param model - an ONNX model written by nin-convert: a URL (fetched), a File or Blob, or bytes; default: the
 *   embedded CIFAR-10 model next to the page (DEFAULT_MODEL_URL or DEFAULT_INT8_MODEL_URL, by dtype)
 * @param options - providers, precision, batching, where onnxruntime-web's files are, progress
 * @returns the classifier, on the provider that started
 * @throws ModelError for a model that cannot be fetched or is not a nin-sdk classifier; ProviderError when no
 *   provider starts (or, with `strict`, the first)
 * @example
 * ```ts
 * import { loadClassifier } from 'nin-sdk/web';
 * const classifier = await loadClassifier(undefined, { provider: ['webgpu', 'wasm'], wasmPaths: '/ort/' });
 * console.log(classifier.provider, classifier.fallbacks);
 * ```
 */
export async function loadClassifier(
  model?: WebModelSource,
  options: WebLoadClassifierOptions = {},
): Promise<WebClassifier> {
  const providers = parseProviders(options.provider, 'web');
  const dtype = parseDtype(options.dtype);
  setWasmPaths(options.wasmPaths);
  const { bytes, source } = await readModelBytes(
    model ?? defaultModelUrl(embeddedModelDtype(dtype, providers)),
    options.onProgress,
  );
  return OrtClassifier.create(bytes, source, {
    ort,
    platform: 'web',
    providers,
    dtype,
    strict: options.strict,
    batchSize: options.batchSize,
    // Warnings of nin-sdk's own sessions stay quiet (a provider that fails to start is reported in
    // `classifier.fallbacks`); ONNX Runtime's page-wide logger (ort.env.logLevel) is the application's, left as it is.
    sessionOptions: { logSeverityLevel: 3 },
    onProgress: options.onProgress,
    preprocess: async (image, spec) => (await preprocessImage(image, spec, { maxPixels: options.maxPixels })).tensor,
  });
}

/**
 * Classifies one image in the browser. Models named by URL are loaded once per set of load options and kept for
 * the next call; models given as files or bytes are loaded for the call and released after it.
 *
 * @param image - the image, of any kind WebImage names
 * @param options - the model (default: the embedded model next to the page), how to load it, how many classes
 * @returns the most probable classes and the provider that computed them
 * @throws ImageError for an image that cannot be decoded; ModelError and ProviderError as loadClassifier
 * @example
 * ```ts
 * import { classify } from 'nin-sdk/web';
 * declare const file: File;
 * const { top, provider } = await classify(file, { wasmPaths: '/ort/' });
 * console.log(top[0]?.label, provider); // 'cat' 'wasm'
 * ```
 */
export const classify: (image: WebImage, options?: WebClassifyOptions) => Promise<Predictions> = (() => {
  const run = cachedClassify<WebImage, WebModelSource, WebLoadClassifierOptions>(loadClassifier, (model) =>
    model === undefined || typeof model === 'string' || model instanceof URL
      ? String(model ?? DEFAULT_MODEL_URL)
      : undefined,
  );
  return (image, options = {}) => run(image, options);
})();
