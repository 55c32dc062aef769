import sharp, { type OverlayOptions } from 'sharp';
import {
  type ClassMaps,
  blendMap,
  colourScale,
  formatValue,
  mapRange,
  modelViewBox,
  overlayLayout,
  upsampledMap,
  type OverlayLayout,
  type Predictions,
} from '../classifier/index.js';
import { decodeImage, type ImageInput, type RawPixels } from '../preprocess/node/index.js';
import type { PreprocessSpec } from '../preprocess/index.js';
import { loadClassifier, type LoadClassifierOptions, type NodeClassifier } from './classify.js';

/**
 * Which classes `explain` draws, and the largest image it decodes.
 *
 * @example
 * ```ts
 * import { explain, type ExplainOptions } from 'nin-sdk';
 * const twoBest: ExplainOptions = { top: 2 }; // two panels, the most probable class first
 * const dog: ExplainOptions = { label: 'dog' }; // the dog map, whatever the model answered
 * const { classes } = await explain('cat.jpg', dog);
 * ```
 */
export interface ExplainOptions {
  /** The class whose map is drawn, by label (default: the most probable one). */
  readonly label?: string;
  /** Draw the maps of the `top` most probable classes, one panel each, side by side (default 1; not with label). */
  readonly top?: number;
  /** Largest image decoded, in pixels (default 100 megapixels). */
  readonly maxPixels?: number;
  /** How the error of an image over maxPixels names the limit (default `maxPixels`; the CLI's `--max-pixels`). */
  readonly maxPixelsName?: string;
}

/**
 * Options of `explain`: the classes drawn, the model and how it is loaded (provider, dtype, threads …).
 *
 * @example
 * ```ts
 * import { explain, type ExplainCallOptions } from 'nin-sdk';
 * const options: ExplainCallOptions = { model: 'nin-imagenet.onnx', top: 3, provider: ['cuda', 'cpu'] };
 * const { png, classes } = await explain('photo.jpg', options);
 * ```
 */
export interface ExplainCallOptions extends ExplainOptions, LoadClassifierOptions {
  /** An ONNX file written by nin-convert, or its bytes; default: the embedded CIFAR-10 model. */
  readonly model?: string | Uint8Array;
}

/**
 * One class drawn: its label, index, probability and the map values its colours span.
 *
 * @example
 * ```ts
 * import { explain, type ExplainedClass } from 'nin-sdk';
 * const { classes } = await explain('cat.jpg', { top: 2 });
 * for (const c of classes as readonly ExplainedClass[])
 *   console.log(`${c.label} ${(c.probability * 100).toFixed(1)} %: map from ${c.low} to ${c.high}`);
 * ```
 */
export interface ExplainedClass {
  /** The class's name, from the model's labels. */
  readonly label: string;
  /** Its index in the model's output (and in `maps`). */
  readonly index: number;
  /** Its softmax probability for the image, 0 to 1. */
  readonly probability: number;
  /** The map's lowest cell: the lower end of the panel's colour scale. */
  readonly low: number;
  /** The map's highest cell: the upper end of the panel's colour scale. */
  readonly high: number;
}

/**
 * What `explain` makes of an image: the overlay as a PNG, the classes drawn on it, and the maps and predictions it
 * was drawn from.
 *
 * @example
 * ```ts
 * import { explain, type Explanation } from 'nin-sdk';
 * import { writeFileSync } from 'node:fs';
 * const explanation: Explanation = await explain('cat.jpg');
 * writeFileSync('cat-map.png', explanation.png);
 * console.log(explanation.width, explanation.height, explanation.predictions.top[0]?.label);
 * ```
 */
export interface Explanation {
  /** The overlay as a PNG: the image the model saw (its centre crop), scaled up, each class's map over it. */
  readonly png: Uint8Array;
  /** The PNG's width in pixels: one panel per class drawn, side by side, each with its colour scale. */
  readonly width: number;
  /** The PNG's height in pixels: a panel and its caption. */
  readonly height: number;
  /** The classes drawn, left to right. */
  readonly classes: readonly ExplainedClass[];
  /** Every class's map and geometry, and the logits. */
  readonly maps: ClassMaps;
  /** All classes, most probable first. */
  readonly predictions: Predictions;
}

/**
 * An image's class confidence maps drawn over it: the part of the image the model classified (its centre crop),
 * scaled to a long side of at least 256 pixels, with the chosen class's map blended in (a colour scale beside it,
 * from the map's lowest to its highest cell) and the label and probability below. Loads the model for the call and
 * disposes of it after; `classifier.classify(image, { maps: true })` gives the maps alone from a loaded classifier.
 *
 * @param image - a path, the bytes of an encoded image, or raw pixels
 * @param options - the classes drawn (`label` or `top`), the model and how it is loaded
 * @returns the overlay as a PNG, the classes drawn, every class's map and the predictions
 * @throws RangeError for a label the model lacks, a `top` out of range, or both given; ImageError for an image that
 * cannot be read; ModelError for a model that cannot be loaded or has no class maps
 * @example
 * ```ts
 * import { explain } from 'nin-sdk';
 * import { writeFileSync } from 'node:fs';
 * const { png, classes } = await explain('cat.jpg', { top: 2 });
 * writeFileSync('cat-maps.png', png);
 * console.log(classes.map((c) => c.label)); // the two most probable classes, e.g. ['cat', 'dog']
 * ```
 */
export async function explain(image: ImageInput, options: ExplainCallOptions = {}): Promise<Explanation> {
  const { model, label, top, ...loadOptions } = options;
  const classifier = await loadClassifier(model, loadOptions);
  try {
    return await explainWith(classifier, image, {
      ...(label === undefined ? {} : { label }),
      top,
      maxPixels: loadOptions.maxPixels,
      maxPixelsName: loadOptions.maxPixelsName,
    });
  } finally {
    await classifier.dispose();
  }
}

/**
 * explain on a loaded classifier, for the CLI (which loads the model once and checks its labels first). Not in the
 * public entries: `explain` is the API.
 */
export async function explainWith(
  classifier: NodeClassifier,
  image: ImageInput,
  options: ExplainOptions = {},
): Promise<Explanation> {
  const chosen = choose(classifier.labels, options);
  const pixels =
    typeof image === 'string' || image instanceof Uint8Array
      ? (await decodeImage(image, { maxPixels: options.maxPixels, limitName: options.maxPixelsName })).pixels
      : image;
  const predictions = await classifier.classify(pixels, { maps: true, top: classifier.labels.length });
  const maps = predictions.maps!;
  const indices =
    chosen.label !== undefined
      ? [classifier.labels.indexOf(chosen.label)]
      : predictions.top.slice(0, chosen.top).map((p) => p.index);
  const layout = overlayLayout(maps.inputSize);
  const base = await modelView(pixels, classifier.info.preprocessing, layout.side);
  const classes = indices.map((index): ExplainedClass => {
    const { low, high } = mapRange(maps, index);
    const probability = predictions.top.find((p) => p.index === index)!.probability;
    return { label: classifier.labels[index]!, index, probability, low, high };
  });
  const panelWidth = layout.side + layout.scaleWidth;
  const width = panelWidth * classes.length;
  const height = layout.side + layout.captionHeight;
  const scale = colourScale(SCALE_BAR, layout.side);
  const layers: OverlayOptions[] = classes.flatMap((c, i) => {
    const panel = blendMap(Uint8Array.from(base), 3, upsampledMap(maps, c.index, layout.side), c);
    const left = i * panelWidth;
    return [
      { input: Buffer.from(panel.buffer), raw: { width: layout.side, height: layout.side, channels: 3 }, left, top: 0 },
      {
        input: Buffer.from(scale.buffer),
        raw: { width: SCALE_BAR, height: layout.side, channels: 3 },
        left: left + layout.side + 4,
        top: 0,
      },
    ];
  });
  layers.push(...(await captions(classes, layout)));
  // Composited (which adds an alpha channel), then written as opaque RGB: a quarter smaller than RGBA.
  const composed = await sharp({ create: { width, height, channels: 3, background: '#ffffff' } })
    .composite(layers)
    .raw()
    .toBuffer({ resolveWithObject: true });
  const png = await sharp(composed.data, { raw: composed.info })
    .removeAlpha()
    .png({ compressionLevel: 9, adaptiveFiltering: true })
    .toBuffer();
  return { png: new Uint8Array(png.buffer, png.byteOffset, png.byteLength), width, height, classes, maps, predictions };
}

const SCALE_BAR = 12;

function choose(labels: readonly string[], options: ExplainOptions): { label?: string; top: number } {
  if (options.label !== undefined && options.top !== undefined) throw new RangeError('give a label or top, not both');
  if (options.label !== undefined) {
    if (!labels.includes(options.label)) {
      const shown = labels.length > 20 ? `${labels.slice(0, 20).join(', ')}, …` : labels.join(', ');
      throw new RangeError(`the model has no class ${JSON.stringify(options.label)}: should be one of ${shown}`);
    }
    return { label: options.label, top: 1 };
  }
  const top = options.top ?? 1;
  if (!Number.isInteger(top) || top < 1 || top > labels.length) {
    throw new RangeError(`top must be an integer from 1 to ${labels.length}, got ${top}`);
  }
  return { top };
}

/**
 * The region of the image the model classified (the preprocessing's resize and centre crop, mapped back onto the
 * decoded pixels) as side × side RGB: cut from the full-resolution image, so a photo stays sharp.
 */
async function modelView(pixels: RawPixels, spec: PreprocessSpec, side: number): Promise<Uint8Array> {
  const { width, height, channels } = pixels;
  const { left, top, width: cropWidth, height: cropHeight } = modelViewBox(width, height, spec);
  const { data, info } = await sharp(pixels.data, { raw: { width, height, channels: channels as 1 | 3 | 4 } })
    .extract({ left, top, width: cropWidth, height: cropHeight })
    .resize(side, side, { fit: 'fill', kernel: cropWidth < side ? 'nearest' : 'lanczos3' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels === 3) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const rgb = new Uint8Array(side * side * 3);
  for (let p = 0; p < side * side; p++) rgb.fill(data[p * info.channels]!, p * 3, p * 3 + 3);
  return rgb;
}

/**
 * Each panel's label and probability and its scale's ends, as raw layers drawn by libvips' text operation (Pango).
 * Not SVG: sharp's loaders other than the accepted image formats are blocked process-wide once an image is decoded
 * (src/preprocess/node/decode-sharp.ts), the SVG loader among them, and text is not a loader.
 */
async function captions(classes: readonly ExplainedClass[], layout: OverlayLayout): Promise<OverlayOptions[]> {
  const panelWidth = layout.side + layout.scaleWidth;
  const scaleTextWidth = layout.scaleWidth - SCALE_BAR - 8;
  const layers = classes.map((c, i) => {
    const left = i * panelWidth;
    const numbers = left + layout.side + SCALE_BAR + 7;
    return [
      textLayer(`${c.label} ${(c.probability * 100).toFixed(1)} %`, 16, {
        left: left + 6,
        top: layout.side + 5,
        width: panelWidth - 12,
        height: layout.captionHeight - 5,
      }),
      textLayer(formatValue(c.high), 11, { left: numbers, top: 1, width: scaleTextWidth, height: 14 }),
      textLayer(formatValue(c.low), 11, { left: numbers, top: layout.side - 14, width: scaleTextWidth, height: 14 }),
    ];
  });
  return Promise.all(layers.flat());
}

/** One line of black text at `box`'s top left, cut to the box (a long label is clipped, never wrapped). */
async function textLayer(
  content: string,
  pixels: number,
  box: { left: number; top: number; width: number; height: number },
): Promise<OverlayOptions> {
  const { data, info } = await sharp({
    text: {
      text: `<span foreground="#000000">${escapeXml(content)}</span>`,
      font: `DejaVu Sans ${pixels}px`,
      rgba: true,
      wrap: 'none',
    },
  })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const width = Math.min(info.width, box.width);
  const height = Math.min(info.height, box.height);
  const clipped = await sharp(data, { raw: { width: info.width, height: info.height, channels: 4 } })
    .extract({ left: 0, top: 0, width, height })
    .raw()
    .toBuffer();
  return { input: clipped, raw: { width, height, channels: 4 }, left: box.left, top: box.top };
}

/**
 * Labels come from the model's metadata: as Pango markup they are escaped, and characters XML forbids (controls)
 * dropped, so that a label is drawn as written and never read as markup.
 */
function escapeXml(value: string): string {
  return value
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
