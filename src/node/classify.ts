import { createRequire } from 'node:module';
import type * as Ort from 'onnxruntime-node';
import { cachedClassify } from '../classifier/cached-classify.js';
import { Classifier, type ClassifyOptions } from '../classifier/classifier.js';
import type { Predictions } from '../classifier/predictions.js';
import { preloadJpegDecoder } from '../preprocess/node/decode-jpeg-wasm.js';
import { preprocessImage, type ImageInput } from '../preprocess/node/index.js';
import { embeddedModelDtype, parseDtype, type ModelDtype } from '../model/dtype.js';
import { parseProviders, type Provider } from '../runtime/providers.js';
import { intraOpThreads } from './cpu-cores.js';
import { defaultModelPath } from './default-model.js';
import { readRegularFile } from './read-regular-file.js';

export type NodeClassifier = Classifier<ImageInput>;

export interface LoadClassifierOptions {
  /** One provider or an ordered list ('cpu' | 'cuda' | 'webgpu'); default 'cpu'. */
  readonly provider?: Provider | readonly Provider[] | string;
  /** Fail when the first provider cannot start instead of falling back (default false). */
  readonly strict?: boolean;
  /** Images per ONNX Runtime run in classifyBatch (default 32). */
  readonly batchSize?: number;
  /** Largest image accepted, in pixels, against decompression bombs (default 100 megapixels). */
  readonly maxPixels?: number;
  /** ONNX Runtime's intra-op threads (default: one per physical core). */
  readonly threads?: number;
  /**
   * 'throughput' (default): every ONNX Runtime graph optimization, the NCHWc layout included. 'startup': only the
   * 'extended' ones; the session builds about four times faster and runs about a fifth slower, which pays for
   * itself below some 60 images (measured on the default model, 2 cores).
   */
  readonly optimize?: 'startup' | 'throughput';
  /**
   * 'fp32' | 'int8': which embedded model to load (default: int8 on cpu, fp32 on cuda and webgpu; see
   * docs/int8.md). With a model of your own, the model's precision must be this one.
   */
  readonly dtype?: ModelDtype | string;
}

export interface ClassifyCallOptions extends ClassifyOptions, LoadClassifierOptions {
  /** An ONNX file written by nin-convert, or its bytes; default: the embedded CIFAR-10 model. */
  readonly model?: string | Uint8Array;
}

/**
 * onnxruntime-node is CommonJS. An ESM `import` of it makes Node pre-parse its source, and that of each module it
 * re-exports (onnxruntime-common's twenty), to find their named exports: a tenth of `nin-sdk predict`'s cold start.
 * require() loads the same module without that.
 */
const ort = createRequire(import.meta.url)('onnxruntime-node') as typeof Ort;

// ONNX Runtime logs failed provider starts as errors on stderr; nin-sdk reports them itself, once, in words.
ort.env.logLevel = 'fatal';

/** Loads a model (default: the embedded one) on the first provider that starts. */
export async function loadClassifier(model?: string | Uint8Array, options: LoadClassifierOptions = {}): Promise<NodeClassifier> {
  // The JPEG decoder compiles on background threads while ONNX Runtime builds the session on this one.
  preloadJpegDecoder();
  const providers = parseProviders(options.provider as string | readonly string[] | undefined, 'node');
  const dtype = parseDtype(options.dtype);
  const source =
    typeof model === 'string' ? model : model === undefined ? defaultModelPath(embeddedModelDtype(dtype, providers)) : 'model bytes';
  const bytes = typeof model === 'object' ? model : await readRegularFile(source);
  const maxPixels = options.maxPixels;
  return Classifier.create(bytes, source, {
    ort,
    platform: 'node',
    providers,
    dtype,
    strict: options.strict,
    batchSize: options.batchSize,
    sessionOptions: {
      intraOpNumThreads: intraOpThreads(options.threads),
      ...(options.optimize === 'startup' ? { graphOptimizationLevel: 'extended' as const } : {}),
    },
    preprocess: async (image, spec) => (await preprocessImage(image, spec, { maxPixels })).tensor,
  });
}

/**
 * Classifies one image: `await classify('cat.jpg')` → `[{ label: 'cat', index: 3, probability: 0.93 }, …]`,
 * with `.provider` saying where it ran. Models named by path are loaded once per provider choice and kept.
 */
export const classify: (image: ImageInput, options?: ClassifyCallOptions) => Promise<Predictions> = (() => {
  const run = cachedClassify<ImageInput, string | Uint8Array, LoadClassifierOptions>(loadClassifier, (model) =>
    typeof model === 'object' ? undefined : (model ?? defaultModelPath()),
  );
  return (image, options = {}) => run(image, options);
})();
