import { checkPreprocessSpec } from './check-spec.js';
import { cropPixels } from './crop.js';
import { preprocessGeometry } from './geometry.js';
import { pixelsToTensor, type PreprocessedImage } from './normalize.js';
import { checkPixels, withoutAlpha, type RawPixels } from './pixels.js';
import { resizeBilinear } from './resample.js';
import type { PreprocessSpec } from './spec.js';

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
  const colour = withoutAlpha(pixels);
  const resized = geometry.needsResize ? resizeBilinear(colour, geometry.resize.width, geometry.resize.height) : colour;
  return cropPixels(resized, geometry.crop);
}
