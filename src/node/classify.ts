import { createRequire } from 'node:module';
import type * as Ort from 'onnxruntime-node';
import {
  cachedClassify,
  OrtClassifier,
  type Classifier,
  type ClassifyOptions,
  type Predictions,
  type ProgressCallback,
} from '../classifier/index.js';
import { preloadJpegDecoder, preprocessImage, type ImageInput } from '../preprocess/node/index.js';
import { parseDtype, type ModelDtype, ModelError } from '../model/index.js';
import { embeddedModelDtype, parseProviders, type NodeProvider } from '../runtime/index.js';
import { nodeSessionOptions, openWorkerSession, providerLibraryMissing } from '../runtime/node/index.js';
import { defaultModelPath } from './default-model.js';
import { readProblem, readRegularFile, describeUrlInput, prepareWebGpuEnvironment } from '../io/index.js';

/**
 * A Classifier of the images Node reads: file paths, encoded bytes and raw pixels (ImageInput).
 *
 * @example
 * ```ts
 * import { loadClassifier, type NodeClassifier } from 'nin-sdk';
 * const classifier: NodeClassifier = await loadClassifier();
 * const { top } = await classifier.classify('cat.jpg');
 * await classifier.dispose();
 * ```
 */
export type NodeClassifier = Classifier<ImageInput>;

/**
 * How `loadClassifier` loads a model and runs it: providers, precision, batching, threads, limits, progress.
 *
 * @example
 * ```ts
 * import { loadClassifier, type LoadClassifierOptions } from 'nin-sdk';
 * const options: LoadClassifierOptions = { provider: ['cuda', 'cpu'], dtype: 'fp32', batchSize: 16 };
 * const classifier = await loadClassifier('nin-cifar10.onnx', options);
 * ```
 */
export interface LoadClassifierOptions {
  /**
   * One provider or an ordered list ('cpu' | 'cuda' | 'webgpu'); default 'cpu'. The first that starts runs the
   * model, CPU is the last resort unless `strict`; `classifier.provider` says which ran.
   */
  readonly provider?: NodeProvider | readonly NodeProvider[];
  /** Fail when the first provider cannot start instead of falling back (default false). */
  readonly strict?: boolean;
  /** Images per ONNX Runtime run in classifyBatch (default 32). */
  readonly batchSize?: number;
  /** Largest image accepted, in pixels, against decompression bombs (default 100 megapixels). */
  readonly maxPixels?: number;
  /** How the size error names maxPixels (default `maxPixels`; `nin-sdk predict` passes `--max-pixels`). */
  readonly maxPixelsName?: string;
  /** ONNX Runtime's intra-op threads (default: one per physical core). */
  readonly threads?: number;
  /**
   * 'throughput' (default): every ONNX Runtime graph optimization, the NCHWc layout included. 'startup': a session
   * that builds fast for a run or two: on a float32 model only the 'extended' optimizations (it builds faster and
   * runs slower, which pays for a few dozen images; an int8 model keeps them all), and pool threads that do not spin.
   * The measurements behind the choice are in docs/benchmarks.md.
   */
  readonly optimize?: 'startup' | 'throughput';
  /**
   * 'fp32' | 'int8': which embedded model to load (default: int8 on cpu, fp32 on cuda and webgpu; see
   * docs/int8.md). With a model of your own, the model's precision must be this one.
   */
  readonly dtype?: ModelDtype;
  /**
   * Run ONNX Runtime in a worker thread of the classifier's own (default false). Its run() blocks the thread that
   * calls it: in a worker, this thread stays free during a batch, and classifyBatch decodes the next batch's images
   * meanwhile. Starting the worker costs a little time, so it pays from a few batches on (docs/benchmarks.md).
   * Call dispose() when done: it stops the worker.
   */
  readonly inWorker?: boolean;
  /**
   * Read image files with blocking calls (default false): the thread pool's round trips cost several times the
   * reading of a small image (a tenth of predict's CPU on a folder of CIFAR-10's), but this thread then waits on each
   * read. For a thread with nothing else to do meanwhile, as `nin-sdk predict`'s with inWorker.
   */
  readonly blockingReads?: boolean;
  /** Told of the model's bytes read, each provider tried and the one that runs (see ProgressEvent). */
  readonly onProgress?: ProgressCallback;
}

/**
 * Options of the one-call `classify`: which model, how to load it (LoadClassifierOptions) and how many classes to
 * return (ClassifyOptions).
 *
 * @example
 * ```ts
 * import { classify, type ClassifyCallOptions } from 'nin-sdk';
 * const options: ClassifyCallOptions = { model: 'my-net.onnx', top: 3, provider: 'cpu' };
 * const { top } = await classify('cat.jpg', options);
 * ```
 */
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

/**
 * Loads a model (default: the embedded one) on the first provider that starts.
 *
 * @param model - an ONNX file written by nin-convert (a path or a `file:` URL), or its bytes; default: the embedded
 *   CIFAR-10 model (int8 on the CPU, float32 on CUDA and WebGPU)
 * @param options - providers, precision, batch size, threads, limits, progress
 * @returns the classifier, on the provider that started (`provider`; `fallbacks` says why the others did not)
 * @throws ModelError when the model is missing, unreadable, not ONNX or not a nin-sdk classifier; ProviderError when
 *   no provider starts (or, with `strict`, the first)
 * @example
 * ```ts
 * import { loadClassifier } from 'nin-sdk';
 * const classifier = await loadClassifier('nin-cifar10.onnx', { provider: ['cuda', 'cpu'] });
 * console.log(classifier.provider, classifier.labels);
 * await classifier.dispose();
 * ```
 */
export async function loadClassifier(
  model?: string | Uint8Array,
  options: LoadClassifierOptions = {},
): Promise<NodeClassifier> {
  // The JPEG decoder compiles on background threads while ONNX Runtime builds the session on this one.
  preloadJpegDecoder();
  const providers = parseProviders(options.provider, 'node');
  const dtype = parseDtype(options.dtype);
  const source =
    typeof model === 'string'
      ? model
      : model === undefined
        ? defaultModelPath(embeddedModelDtype(dtype, providers))
        : 'model bytes';
  const url = typeof model === 'string' ? describeUrlInput(model, 'model') : undefined;
  if (url !== undefined) throw new ModelError(url);
  const bytes = typeof model === 'object' ? model : await readModelFile(source);
  options.onProgress?.({ stage: 'load', source, loaded: bytes.byteLength, total: bytes.byteLength });
  const decoding = {
    maxPixels: options.maxPixels,
    limitName: options.maxPixelsName,
    blockingReads: options.blockingReads,
  };
  if (providers.includes('webgpu')) prepareWebGpuEnvironment();
  return OrtClassifier.create(bytes, source, {
    ort,
    platform: 'node',
    unavailable: providerLibraryMissing,
    providers,
    dtype,
    strict: options.strict,
    batchSize: options.batchSize,
    sessionOptions: (info) => nodeSessionOptions(options, info.dtype),
    onProgress: options.onProgress,
    preprocess: async (image, spec) => (await preprocessImage(image, spec, decoding)).tensor,
    ...(options.inWorker === true ? { openSession: openWorkerSession } : {}),
  });
}

/** A model file's bytes; a missing or unreadable file is a ModelError that says why. */
async function readModelFile(path: string): Promise<Uint8Array> {
  try {
    return await readRegularFile(path);
  } catch (error) {
    throw new ModelError(`cannot read ${path}: ${readProblem(error)}`, { cause: error });
  }
}

/**
 * Classifies one image. Models named by path are loaded once per set of load options and kept for the next call;
 * models given as bytes are loaded for the call and released after it.
 *
 * @param image - a path to an image file, the bytes of an encoded image, or raw pixels
 * @param options - the model (default: the embedded CIFAR-10 model), how to load it, how many classes
 * @returns the most probable classes and the provider that computed them
 * @throws ImageError for an image that cannot be read or decoded; ModelError and ProviderError as loadClassifier
 * @example
 * ```ts
 * import { classify } from 'nin-sdk';
 * const { top, provider } = await classify('cat.jpg', { top: 3 });
 * console.log(top[0]?.label, top[0]?.probability, provider); // 'cat' 0.99 'cpu'
 * ```
 */
export const classify: (image: ImageInput, options?: ClassifyCallOptions) => Promise<Predictions> = (() => {
  const run = cachedClassify<ImageInput, string | Uint8Array, LoadClassifierOptions>(loadClassifier, (model) =>
    typeof model === 'object' ? undefined : (model ?? defaultModelPath()),
  );
  return (image, options = {}) => run(image, options);
})();
