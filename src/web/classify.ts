import { cachedClassify } from '../classifier/cached-classify.js';
import { OrtClassifier } from '../classifier/classifier.js';
import type { Classifier, ClassifyOptions } from '../classifier/classifier-interface.js';
import type { Predictions } from '../classifier/predictions.js';
import type { ProgressCallback } from '../classifier/progress.js';
import { parseProviders, type WebProvider } from '../runtime/providers.js';
import type { WebImage } from './decode-image.js';
import { embeddedModelDtype, parseDtype, type ModelDtype } from '../model/dtype.js';
import { DEFAULT_MODEL_URL, defaultModelUrl, readModelBytes, type WebModelSource } from './model-source.js';
import { ort, setWasmPaths, type WasmPaths } from './ort-web.js';
import { preprocessImage } from './preprocess.js';

export type WebClassifier = Classifier<WebImage>;

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

export interface WebClassifyOptions extends ClassifyOptions, WebLoadClassifierOptions {
  /** An ONNX model written by nin-convert (URL, File, bytes); default `DEFAULT_MODEL_URL` next to the page. */
  readonly model?: WebModelSource;
}

/** Loads a model (default: `nin-cifar10-int8.onnx` or `nin-cifar10.onnx` next to the page, by dtype) on the first provider that starts. */
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
 * Classifies one image: `await classify(file)` → `[{ label: 'cat', index: 3, probability: 0.93 }, …]`, with
 * `.provider` saying where it ran. Models named by URL are loaded once per provider choice and kept.
 */
export const classify: (image: WebImage, options?: WebClassifyOptions) => Promise<Predictions> = (() => {
  const run = cachedClassify<WebImage, WebModelSource, WebLoadClassifierOptions>(loadClassifier, (model) =>
    model === undefined || typeof model === 'string' || model instanceof URL
      ? String(model ?? DEFAULT_MODEL_URL)
      : undefined,
  );
  return (image, options = {}) => run(image, options);
})();
