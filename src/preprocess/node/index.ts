/**
 * Node entry of preprocessing: files and encoded bytes decoded with sharp, then the pure pipeline of ./index.ts
 * (torchvision-exact resize, centre crop and normalisation). Re-exports the pure API, so Node code needs only this.
 */
import { decodeImage, type DecodeOptions } from './decode-sharp.js';
import type { PreprocessedImage } from '../normalize.js';
import { preprocessPixels } from '../pipeline.js';
import type { RawPixels } from '../pixels.js';
import type { PreprocessSpec } from '../spec.js';

export * from '../index.js';
export {
  decodeImage,
  DEFAULT_MAX_PIXELS,
  describePixels,
  readImageSize,
  type DecodedImage,
  type DecodeOptions,
} from './decode-sharp.js';

/**
 * A path to an image file, the bytes of an encoded image (JPEG, PNG, WebP, GIF, TIFF, BMP), or decoded pixels.
 *
 * @example
 * ```ts
 * import { classify, type ImageInput } from 'nin-sdk';
 * import { readFileSync } from 'node:fs';
 * const inputs: ImageInput[] = ['cat.jpg', readFileSync('dog.png'), { data: new Uint8Array(32 * 32 * 3), width: 32, height: 32, channels: 3 }];
 * for (const image of inputs) console.log((await classify(image)).top[0]?.label);
 * ```
 */
export type ImageInput = string | Uint8Array | RawPixels;

/**
 * How images are decoded before preprocessing: the largest image accepted (`maxPixels`), how its error names it.
 *
 * @example
 * ```ts
 * import { preprocessImage, type PreprocessOptions } from 'nin-sdk';
 * const options: PreprocessOptions = { maxPixels: 10_000_000 };
 * declare const spec: import('nin-sdk').PreprocessSpec;
 * const { tensor } = await preprocessImage('huge.jpg', spec, options);
 * ```
 */
export type PreprocessOptions = DecodeOptions;

/**
 * An image → the [1, C, S, S] input tensor of a model with this preprocessing spec, equal to what PIL +
 * torchvision make of the same file (see test/preprocess). Throws ImageError for anything wrong with the image.
 * Raw pixels are taken as they are (no pixel limit: they are already in memory).
 *
 * @param input - a path, the bytes of an encoded image, or raw pixels
 * @param spec - the model's preprocessing (ModelInfo.preprocessing)
 * @param options - decoding limits
 * @returns the normalised tensor and its dimensions
 * @throws ImageError for anything wrong with the image
 * @example
 * ```ts
 * import { preprocessImage, readModelInfo, defaultModelPath } from 'nin-sdk';
 * import { readFileSync } from 'node:fs';
 * const { preprocessing } = readModelInfo(readFileSync(defaultModelPath()), 'default model');
 * const { tensor, dims } = await preprocessImage('cat.jpg', preprocessing);
 * console.log(dims, tensor.length); // [1, 3, 32, 32] 3072
 * ```
 */
export async function preprocessImage(
  input: ImageInput,
  spec: PreprocessSpec,
  options: PreprocessOptions = {},
): Promise<PreprocessedImage> {
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const { pixels, label } = await decodeImage(input, options);
    return preprocessPixels(pixels, spec, label);
  }
  if (!isRawPixels(input)) {
    throw new TypeError(
      `preprocessImage: expected a file path, the bytes of an encoded image or raw pixels { data, width, height, channels }, got ${describe(input)}`,
    );
  }
  return preprocessPixels(input, spec);
}

function isRawPixels(input: unknown): input is RawPixels {
  return (
    typeof input === 'object' &&
    input !== null &&
    'data' in input &&
    'width' in input &&
    'height' in input &&
    'channels' in input
  );
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return value.constructor?.name ?? 'object';
}
export { preloadJpegDecoder } from './decode-jpeg-wasm.js';
