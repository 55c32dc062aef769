import {
  type ClassMaps,
  blendMap,
  mapRange,
  modelViewBox,
  overlayLayout,
  upsampledMap,
  type Predictions,
} from '../classifier/index.js';
import { cropPixels, withoutAlpha, type RawPixels, resizeBilinear } from '../preprocess/index.js';
import type { WebClassifier } from './classify.js';
import { decodeImage, type WebDecodeOptions, type WebImage } from './decode-image.js';

/**
 * Which class the browser's `explain` draws, and the largest image it decodes.
 *
 * @example
 * ```ts
 * import { explain, loadClassifier, type WebExplainOptions } from 'nin-sdk/web';
 * declare const file: File;
 * const options: WebExplainOptions = { label: 'dog', maxPixels: 20_000_000 };
 * const { probability } = await explain(await loadClassifier(), file, options); // P(dog), whatever ranked first
 * ```
 */
export interface WebExplainOptions extends WebDecodeOptions {
  /** The class whose map is drawn, by label (default: the most probable one). */
  readonly label?: string;
}

/**
 * What the browser's `explain` makes of an image: the overlay as ImageData, the class drawn and its colour scale's
 * ends, and the maps and predictions it was drawn from.
 *
 * @example
 * ```ts
 * import { explain, loadClassifier, type WebExplanation } from 'nin-sdk/web';
 * declare const file: File;
 * declare const canvas: HTMLCanvasElement;
 * const result: WebExplanation = await explain(await loadClassifier(), file);
 * canvas.width = result.image.width;
 * canvas.height = result.image.height;
 * canvas.getContext('2d')?.putImageData(result.image, 0, 0);
 * console.log(`${result.label} ${(result.probability * 100).toFixed(1)} %, map ${result.low} … ${result.high}`);
 * ```
 */
export interface WebExplanation {
  /** The image the model saw (its centre crop), side × side (at least 256), the class's map blended over it. */
  readonly image: ImageData;
  /** The class drawn. */
  readonly label: string;
  /** Its softmax probability for the image, 0 to 1. */
  readonly probability: number;
  /** The map's lowest cell: the colour scale's lower end. */
  readonly low: number;
  /** The map's highest cell: the colour scale's upper end. */
  readonly high: number;
  /** Every class's map and geometry, and the logits. */
  readonly maps: ClassMaps;
  /** All classes, most probable first. */
  readonly predictions: Predictions;
}

/**
 * An image's class confidence map drawn over it, in a browser: the part of the image the model classified, scaled
 * up to at least 256 pixels a side, with the class's map blended in (the same drawing as Node's explain, without
 * the caption: a page sets its own). Draw `image` with a canvas's putImageData. Takes a loaded classifier, as a
 * page holds one for all its images.
 *
 * @param classifier - a classifier from loadClassifier
 * @param input - the image: a File or Blob, an `<img>`, ImageBitmap, canvas, ImageData or raw pixels
 * @param options - the class drawn (default the most probable) and the largest image decoded
 * @returns the overlay, the class drawn and its probability, every class's map and the predictions
 * @throws RangeError for a label the model lacks; ImageError for an image that cannot be decoded; ModelError for a
 * model that has no class maps
 * @example
 * ```ts
 * import { explain, loadClassifier } from 'nin-sdk/web';
 * declare const file: File;
 * declare const canvas: HTMLCanvasElement;
 * const classifier = await loadClassifier();
 * const { image, label } = await explain(classifier, file);
 * canvas.width = image.width;
 * canvas.height = image.height;
 * canvas.getContext('2d')?.putImageData(image, 0, 0);
 * ```
 */
export async function explain(
  classifier: WebClassifier,
  input: WebImage,
  options: WebExplainOptions = {},
): Promise<WebExplanation> {
  const { label, ...decoding } = options;
  if (label !== undefined && !classifier.labels.includes(label)) {
    throw new RangeError(`the model has no class ${JSON.stringify(label)}`);
  }
  const pixels = await decodeImage(input, decoding);
  const predictions = await classifier.classify(pixels, { maps: true, top: classifier.labels.length });
  const maps = predictions.maps!;
  const index = label === undefined ? predictions.top[0]!.index : classifier.labels.indexOf(label);
  const { side } = overlayLayout(maps.inputSize);
  const rgba = modelView(pixels, classifier, side);
  const range = mapRange(maps, index);
  blendMap(rgba, 4, upsampledMap(maps, index, side), range);
  return {
    image: new ImageData(rgba, side, side),
    label: classifier.labels[index]!,
    probability: predictions.top.find((p) => p.index === index)!.probability,
    low: range.low,
    high: range.high,
    maps,
    predictions,
  };
}

/** The model's view of the image (see modelViewBox) as side × side opaque RGBA. */
function modelView(pixels: RawPixels, classifier: WebClassifier, side: number): Uint8ClampedArray<ArrayBuffer> {
  const box = modelViewBox(pixels.width, pixels.height, classifier.info.preprocessing);
  const rgb = resizeBilinear(withoutAlpha(cropPixels(pixels, box)), side, side);
  const rgba = new Uint8ClampedArray(side * side * 4);
  for (let p = 0; p < side * side; p++) {
    for (let c = 0; c < 3; c++) rgba[p * 4 + c] = rgb.data[p * rgb.channels + (rgb.channels === 1 ? 0 : c)]!;
    rgba[p * 4 + 3] = 255;
  }
  return rgba;
}
