import { scanWindows, type WindowScan, type WindowScanOptions } from '../classifier/index.js';
import { decodeImage, type ImageInput } from '../preprocess/node/index.js';
import { loadClassifier, type LoadClassifierOptions, type NodeClassifier } from './classify.js';

export type { WindowScan, WindowScanOptions } from '../classifier/index.js';

/**
 * Options of `scan`: the window's stride, the model and how it is loaded (provider, threads …), and the largest
 * image decoded (`maxPixels`).
 *
 * @example
 * ```ts
 * import { scan, type ScanCallOptions } from 'nin-sdk';
 * const options: ScanCallOptions = { model: 'nin-cifar10.onnx', stride: 4, provider: 'cpu', maxPixels: 4_000_000 };
 * const result = await scan('street.jpg', options);
 * ```
 */
export interface ScanCallOptions extends WindowScanOptions, LoadClassifierOptions {
  /** An ONNX file written by nin-convert, or its bytes; default: the embedded CIFAR-10 model. */
  readonly model?: string | Uint8Array;
}

/**
 * A scan of windows over an image larger than the model's input (see WindowScan): each inputSize × inputSize window,
 * `stride` pixels apart, classified alone. A dense label map, not a classification of the whole image. Loads the
 * model for the call and disposes of it after.
 *
 * @param image - a path, the bytes of an encoded image, or raw pixels; at least the model's window on each side
 * @param options - the stride, the model and how it is loaded, the largest image decoded
 * @returns each window's logits, most probable class and its probability
 * @throws RangeError for an image smaller than the window, a stride that is not a positive integer, or more than
 * 20,000 windows; ImageError for an image that cannot be read; ModelError for a model that cannot be loaded
 * @example
 * ```ts
 * import { scan } from 'nin-sdk';
 * const result = await scan('street.jpg', { stride: 8 });
 * console.log(result.rows, result.columns, result.labels[result.best[0]!]); // the top-left window's class
 * ```
 */
export async function scan(image: ImageInput, options: ScanCallOptions = {}): Promise<WindowScan> {
  const { model, stride, ...loadOptions } = options;
  const classifier = await loadClassifier(model, loadOptions);
  try {
    return await scanWith(classifier, image, { ...(stride === undefined ? {} : { stride }) }, loadOptions);
  } finally {
    await classifier.dispose();
  }
}

/**
 * scan on a loaded classifier, for the CLI (which loads the model once for its checks); `decoding` bounds the image
 * decoded (maxPixels). Not in the public entries: `scan` is the API.
 */
export async function scanWith(
  classifier: NodeClassifier,
  image: ImageInput,
  options: WindowScanOptions = {},
  decoding: Pick<LoadClassifierOptions, 'maxPixels' | 'maxPixelsName'> = {},
): Promise<WindowScan> {
  const pixels =
    typeof image === 'string' || image instanceof Uint8Array
      ? (await decodeImage(image, { maxPixels: decoding.maxPixels, limitName: decoding.maxPixelsName })).pixels
      : image;
  return scanWindows(classifier, pixels, options);
}
