/**
 * The public face of a loaded classifier, apart from its implementation (classifier.ts), as onnxruntime-common
 * draws InferenceSession: users hold a `Classifier<Image>` made by `loadClassifier` and never construct one.
 */
import type { ModelInfo } from '../model/index.js';
import type { ProviderAttempt, Provider } from '../runtime/index.js';
import type { Predictions } from './predictions.js';
import type { ProgressCallback } from './progress.js';

/**
 * Options of one classification.
 *
 * @example
 * ```ts
 * import { loadClassifier, type ClassifyOptions } from 'nin-sdk';
 * const options: ClassifyOptions = { top: 3, onProgress: (event) => console.log(event) };
 * const classifier = await loadClassifier();
 * console.log((await classifier.classifyBatch(['a.jpg', 'b.jpg'], options)).length); // 2
 * ```
 */
export interface ClassifyOptions {
  /** How many classes to return, most probable first (default 5, at most the class count). */
  readonly top?: number;
  /**
   * Also return every class's confidence map and its geometry (`predictions.maps`): the model's last map before
   * global average pooling. Refused (ModelError) for a model whose logits are not such a map's average.
   */
  readonly maps?: boolean;
  /** Told after each ONNX Runtime run of classifyBatch: `{ stage: 'classify', done, total }`. */
  readonly onProgress?: ProgressCallback;
}

/**
 * A model loaded on one execution provider, ready to classify images of the kinds its platform accepts (`Image`:
 * paths, bytes and raw pixels in Node; files, blobs, canvases and image elements in a browser). Runs are queued, so
 * concurrent calls give exactly the serial answers. Made by `loadClassifier`; call `dispose` when done.
 *
 * @typeParam Image - what `classify` accepts: `ImageInput` in Node, `WebImage` in a browser
 * @example
 * ```ts
 * import { loadClassifier } from 'nin-sdk';
 * const classifier = await loadClassifier(undefined, { provider: ['cuda', 'cpu'] });
 * try {
 *   const { top } = await classifier.classify('cat.jpg', { top: 3 });
 *   console.log(top[0]?.label, classifier.provider, classifier.fallbacks);
 * } finally {
 *   await classifier.dispose();
 * }
 * ```
 */
export interface Classifier<Image> {
  /** What the model's metadata says: family, labels, preprocessing, precision, the recorded architecture. */
  readonly info: ModelInfo;
  /** The execution provider that really runs the model. */
  readonly provider: Provider;
  /** Providers that were tried first and failed, with why: a silent fallback made visible. */
  readonly fallbacks: readonly ProviderAttempt[];
  /** The model's class names, in output order (`info.labels`). */
  readonly labels: readonly string[];

  /**
   * Classifies one image.
   *
   * @param image - the image, of a kind the platform accepts
   * @param options - how many classes to return
   * @returns the most probable classes and the provider that computed them
   */
  classify(image: Image, options?: ClassifyOptions): Promise<Predictions>;

  /**
   * Classifies many images, preprocessing each and running them through the model in batches (the loader's
   * `batchSize`); the next batch is preprocessed while one runs.
   *
   * @param images - the images, of kinds the platform accepts
   * @param options - how many classes to return; `onProgress` is told after each batch
   * @returns one result per image, in order
   */
  classifyBatch(images: readonly Image[], options?: ClassifyOptions): Promise<Predictions[]>;

  /**
   * Class probabilities for images already preprocessed as the model's `info.preprocessing` says.
   *
   * @param tensors - one float32 [C, S, S] tensor per image (C: the model's channels, S: its input size)
   * @returns the probabilities, [tensors.length × classes], row after row
   */
  probabilities(tensors: readonly Float32Array[]): Promise<Float32Array>;
  /**
   * The logits [n × classes] of already preprocessed tensors, as the model's logits output gives them (the scan of
   * windows reads these).
   *
   * @param tensors - one float32 [C, S, S] tensor per image (C: the model's channels, S: its input size)
   * @returns n × classes logits, image after image
   * @example
   * ```ts
   * import { loadClassifier, preprocessImage } from 'nin-sdk';
   * const classifier = await loadClassifier();
   * const { tensor } = await preprocessImage('cat.jpg', classifier.info.preprocessing); // [1, 3, 32, 32], flat
   * const logits = await classifier.logits([tensor]);
   * console.log(logits.length); // 10
   * ```
   */
  logits(tensors: readonly Float32Array[]): Promise<Float32Array>;
  /** How errors name the model: its path, or 'model bytes'. */
  readonly source: string;

  /**
   * Releases the ONNX Runtime session (and the worker thread, if any) once the queued runs end. Later calls are
   * refused; a second dispose does nothing.
   */
  dispose(): Promise<void>;
}
