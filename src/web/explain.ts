import type { ClassMaps } from '../classifier/class-maps.js';
import { blendMap, mapRange, modelViewBox, overlayLayout, upsampledMap } from '../classifier/overlay.js';
import type { Predictions } from '../classifier/predictions.js';
import { cropPixels } from '../preprocess/crop.js';
import { withoutAlpha, type RawPixels } from '../preprocess/pixels.js';
import { resizeBilinear } from '../preprocess/resample.js';
import type { WebClassifier } from './classify.js';
import { decodeImage, type WebDecodeOptions, type WebImage } from './decode-image.js';

export interface WebExplainOptions extends WebDecodeOptions {
  /** The class whose map is drawn, by label (default: the most probable one). */
  readonly label?: string;
}

export interface WebExplanation {
  /** The image the model saw (its centre crop), side × side (at least 256), the class's map blended over it. */
  readonly image: ImageData;
  readonly label: string;
  readonly probability: number;
  /** The map values the colours span, lowest to highest (for a colour scale's ends). */
  readonly low: number;
  readonly high: number;
  /** Every class's map and geometry, and the logits. */
  readonly maps: ClassMaps;
  /** All classes, most probable first. */
  readonly predictions: Predictions;
}

/**
 * An image's class confidence map drawn over it, in a browser: the part of the image the model classified, scaled
 * up to at least 256 pixels a side, with the class's map blended in (the same drawing as Node's explain, without
 * the caption: a page sets its own). Draw `image` with a canvas's putImageData.
 *
 * @example const { image } = await explain(classifier, file); canvas.getContext('2d')!.putImageData(image, 0, 0);
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
