import { checkPreprocessSpec } from './check-spec.js';
import { cropPixels } from './crop.js';
import { ImageError } from './errors.js';
import { preprocessGeometry } from './geometry.js';
import { toGrey } from './grey.js';
import { pixelsToTensor, type PreprocessedImage } from './normalize.js';
import { checkPixels, withoutAlpha, type RawPixels } from './pixels.js';
import { resizeBilinear } from './resample.js';
import { specChannels, type PreprocessSpec } from './spec.js';

/** Largest resized image (before the centre crop) made for one input: 64 megapixels, 192 MB of RGB. */
export const MAX_RESIZED_PIXELS = 64 * 2 ** 20;

/**
 * Decoded pixels of any size → the model's input tensor, as torchvision does it on a PIL image:
 * `Resize(spec.resizeShorterSide)` (Pillow's bilinear, skipped when the size is already right), then
 * `CenterCrop(spec.inputSize)`, then the spec's channel order, scale, mean and std. A 1-channel spec converts the
 * image to grey first (PIL's `convert('L')`), as a pipeline on an 'L' image resizes grey bytes. Pure: runs in browsers on
 * `ImageData` (channels 4) as well as in Node.
 *
 * @param pixels - decoded 8-bit pixels (1, 3 or 4 channels, interleaved)
 * @param spec - the model's preprocessing (ModelInfo.preprocessing)
 * @param label - how errors name the image (default 'raw image')
 * @returns the [1, C, S, S] input tensor
 * @throws ImageError for pixels whose fields disagree
 * @example
 * ```ts
 * import { preprocessPixels, readModelInfo } from 'nin-sdk';
 * import { readFileSync } from 'node:fs';
 * const { preprocessing } = readModelInfo(readFileSync('nin.onnx'), 'nin.onnx');
 * const { tensor, dims } = preprocessPixels({ data: new Uint8Array(40 * 40 * 3), width: 40, height: 40, channels: 3 }, preprocessing);
 * ```
 */
export function preprocessPixels(pixels: RawPixels, spec: PreprocessSpec, label = 'raw image'): PreprocessedImage {
  const cropped = resizeAndCropPixels(pixels, spec, label);
  return { tensor: pixelsToTensor(cropped, spec), dims: [1, specChannels(spec), spec.inputSize, spec.inputSize] };
}

/**
 * The geometric half of preprocessing: pixels of any size → the spec's inputSize square of pixels (1 or 3
 * channels, alpha dropped; grey for a 1-channel spec), before any normalisation. What a model with preprocessing in its graph takes.
 */
export function resizeAndCropPixels(pixels: RawPixels, spec: PreprocessSpec, label = 'raw image'): RawPixels {
  checkPreprocessSpec(spec);
  checkPixels(pixels, label);
  const geometry = preprocessGeometry(pixels.width, pixels.height, spec);
  // The whole image is resized before the crop: a long panorama and a large resizeShorterSide multiply into gigabytes.
  const resizedPixels = geometry.resize.width * geometry.resize.height;
  if (geometry.needsResize && resizedPixels > MAX_RESIZED_PIXELS) {
    throw new ImageError(
      `${label} (${pixels.width}×${pixels.height}) would be resized to ${geometry.resize.width}×${geometry.resize.height}, ` +
        `over the limit of ${MAX_RESIZED_PIXELS / 2 ** 20} megapixels for one resized image`,
    );
  }
  // Grey before the resize: torchvision resizes the 'L' image's bytes, and resizing colour first would round twice.
  const colour = specChannels(spec) === 1 ? toGrey(pixels) : withoutAlpha(pixels);
  const resized = geometry.needsResize ? resizeBilinear(colour, geometry.resize.width, geometry.resize.height) : colour;
  return cropPixels(resized, geometry.crop);
}
