import { checkPreprocessSpec } from './check-spec.js';
import { cropPixels } from './crop.js';
import { ImageError } from './errors.js';
import { preprocessGeometry } from './geometry.js';
import { pixelsToTensor, type PreprocessedImage } from './normalize.js';
import { checkPixels, withoutAlpha, type RawPixels } from './pixels.js';
import { resizeBilinear } from './resample.js';
import type { PreprocessSpec } from './spec.js';

/** Largest resized image (before the centre crop) made for one input: 64 megapixels, 192 MB of RGB. */
export const MAX_RESIZED_PIXELS = 64 * 2 ** 20;

/**
 * Decoded pixels of any size → the model's input tensor, as torchvision does it on a PIL image:
 * `Resize(spec.resizeShorterSide)` (Pillow's bilinear, skipped when the size is already right), then
 * `CenterCrop(spec.inputSize)`, then the spec's channel order, scale, mean and std. Pure: runs in browsers on
 * `ImageData` (channels 4) as well as in Node.
 */
export function preprocessPixels(pixels: RawPixels, spec: PreprocessSpec, label = 'raw image'): PreprocessedImage {
  const cropped = resizeAndCropPixels(pixels, spec, label);
  return { tensor: pixelsToTensor(cropped, spec), dims: [1, 3, spec.inputSize, spec.inputSize] };
}

/**
 * The geometric half of preprocessing: pixels of any size → the spec's inputSize square of pixels (1 or 3
 * channels, alpha dropped), before any normalisation. What a model with preprocessing in its graph takes.
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
  const colour = withoutAlpha(pixels);
  const resized = geometry.needsResize ? resizeBilinear(colour, geometry.resize.width, geometry.resize.height) : colour;
  return cropPixels(resized, geometry.crop);
}
