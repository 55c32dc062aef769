import { scanWindows, type WindowScan, type WindowScanOptions } from '../classifier/window-scan.js';
import { decodeImage, type ImageInput } from '../preprocess/node/index.js';
import { loadClassifier, type LoadClassifierOptions, type NodeClassifier } from './classify.js';

export type { WindowScan, WindowScanOptions } from '../classifier/window-scan.js';

export interface ScanCallOptions extends WindowScanOptions, LoadClassifierOptions {
  /** An ONNX file written by nin-convert, or its bytes; default: the embedded CIFAR-10 model. */
  readonly model?: string | Uint8Array;
}

/**
 * A scan of windows over an image larger than the model's input (see WindowScan): each inputSize × inputSize window,
 * `stride` pixels apart, classified alone. A dense label map, not a classification of the whole image.
 *
 * @example const s = await scan('street.jpg', { stride: 8 }); s.labels[s.best[0]!] // the top-left window's class
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

/** scan on a loaded classifier; `decoding` bounds the image decoded (maxPixels). */
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
