import { cropPixels, pixelsToTensor, checkPixels, type RawPixels } from '../preprocess/index.js';
import type { Classifier } from './classifier-interface.js';
import { softmaxRow } from './predictions.js';

/** At most this many windows in one scan: a 1024 × 1024 image at the CIFAR-10 NIN's default stride is 15,625. */
export const MAX_SCAN_WINDOWS = 20_000;
/** Windows per ONNX Runtime run of a scan. */
const SCAN_BATCH = 256;

/**
 * How a scan of windows slides the model's window over an image (see WindowScan).
 *
 * @example
 * ```ts
 * import { scan, type WindowScanOptions } from 'nin-sdk';
 * const options: WindowScanOptions = { stride: 16 }; // windows 16 pixels apart: a quarter as many as at 8
 * const { rows, columns } = await scan('street.jpg', options);
 * ```
 */
export interface WindowScanOptions {
  /** Pixels between neighbouring windows (default: a quarter of the window, 8 for the CIFAR-10 NIN). */
  readonly stride?: number;
}

/**
 * A scan of windows: the model's own input window (inputSize × inputSize pixels, normalised as its preprocessing
 * does, never resized) slid over an image, each window classified alone. A dense map of what each part of the
 * image looks like to the model; not a classification of the whole image (a NIN run on the whole of a larger image
 * sees every window's surroundings through its paddings, and its answers at 4× the training size drift to one class).
 * What `scan` returns.
 *
 * @example
 * ```ts
 * import { scan, type WindowScan } from 'nin-sdk';
 * const result: WindowScan = await scan('street.jpg', { stride: 8 });
 * for (let r = 0; r < result.rows; r++) {
 *   const row = Array.from({ length: result.columns }, (_, c) => result.labels[result.best[r * result.columns + c]!]);
 *   console.log(`rows ${r * result.stride}…${r * result.stride + result.window - 1}: ${row.join(' ')}`);
 * }
 * ```
 */
export interface WindowScan {
  /** Says what this is, in JSON too: a scan of windows, not a classification of the whole image. */
  readonly kind: 'scan of windows';
  /** Class names, in the model's order: what `best` and the logits' columns index. */
  readonly labels: readonly string[];
  /** Window side, in image pixels: the model's input size. */
  readonly window: number;
  /** Image pixels between neighbouring windows, down and across. */
  readonly stride: number;
  /** Windows down: window (r, c) covers rows r·stride … r·stride + window − 1, likewise columns. */
  readonly rows: number;
  /** Windows across. */
  readonly columns: number;
  /** Each window's logits, [rows × columns × classes] row-major. */
  readonly logits: Float32Array;
  /** Each window's most probable class index, [rows × columns]. */
  readonly best: Int32Array;
  /** That class's probability in its window, [rows × columns]. */
  readonly probability: Float32Array;
}

/**
 * Scans `pixels` with the classifier's window (see WindowScan). Refuses an image smaller than the window, a stride
 * that is not a positive integer, and scans of more than MAX_SCAN_WINDOWS windows (bounded time and memory).
 */
export async function scanWindows<Image>(
  classifier: Classifier<Image>,
  pixels: RawPixels,
  options: WindowScanOptions = {},
): Promise<WindowScan> {
  checkPixels(pixels, 'the scanned image');
  const { preprocessing, labels } = classifier.info;
  const window = preprocessing.inputSize;
  const stride = options.stride ?? Math.max(1, Math.floor(window / 4));
  if (!Number.isInteger(stride) || stride < 1) throw new RangeError(`stride must be a positive integer, got ${stride}`);
  if (pixels.width < window || pixels.height < window) {
    throw new RangeError(
      `a scan needs an image of at least the model's ${window}×${window} window, got ${pixels.width}×${pixels.height}`,
    );
  }
  const rows = Math.floor((pixels.height - window) / stride) + 1;
  const columns = Math.floor((pixels.width - window) / stride) + 1;
  if (rows * columns > MAX_SCAN_WINDOWS) {
    throw new RangeError(
      `a scan of ${pixels.width}×${pixels.height} at stride ${stride} is ${rows * columns} windows, more than ` +
        `${MAX_SCAN_WINDOWS}: use a larger stride or a smaller image`,
    );
  }
  const classes = labels.length;
  const logits = new Float32Array(rows * columns * classes);
  const cells = rows * columns;
  for (let start = 0; start < cells; start += SCAN_BATCH) {
    const tensors: Float32Array[] = [];
    for (let cell = start; cell < Math.min(cells, start + SCAN_BATCH); cell++) {
      const box = {
        left: (cell % columns) * stride,
        top: Math.floor(cell / columns) * stride,
        width: window,
        height: window,
      };
      tensors.push(pixelsToTensor(cropPixels(pixels, box), preprocessing));
    }
    logits.set(await classifier.logits(tensors), start * classes);
  }
  const best = new Int32Array(cells);
  const probability = new Float32Array(cells);
  for (let cell = 0; cell < cells; cell++) {
    const p = softmaxRow(logits.subarray(cell * classes, (cell + 1) * classes));
    let top = 0;
    for (let k = 1; k < classes; k++) if (p[k]! > p[top]!) top = k;
    best[cell] = top;
    probability[cell] = p[top]!;
  }
  return { kind: 'scan of windows', labels, window, stride, rows, columns, logits, best, probability };
}
