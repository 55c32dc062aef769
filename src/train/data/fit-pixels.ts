import {
  cropPixels,
  preprocessGeometry,
  resizeBilinear,
  type PreprocessSpec,
  type RawPixels,
} from '../../preprocess/index.js';
import { DATASET_CHANNELS, imageBytes } from './image-dataset.js';

/**
 * Decoded pixels → the spec's inputSize square as RGB bytes (HWC), by the same geometry as inference
 * (resize the shorter side to `resizeShorterSide`, Pillow's bilinear, then the centre crop), so that a model sees
 * training images as it will see images later. Images already of the input size are taken as they are, which for
 * CIFAR-10's 32×32 files means decoding is all there is. Grey becomes R = G = B; alpha is dropped.
 */
export function fitPixels(pixels: RawPixels, spec: PreprocessSpec): Uint8Array {
  const size = spec.inputSize;
  let fitted = pixels;
  if (pixels.width !== size || pixels.height !== size) {
    const geometry = preprocessGeometry(pixels.width, pixels.height, spec);
    const resized = geometry.needsResize
      ? resizeBilinear(pixels, geometry.resize.width, geometry.resize.height)
      : pixels;
    fitted = cropPixels(resized, geometry.crop);
  }
  return toRgb(fitted, imageBytes(size));
}

function toRgb(pixels: RawPixels, length: number): Uint8Array {
  const { data, channels } = pixels;
  if (channels === DATASET_CHANNELS) return data instanceof Uint8Array ? data : new Uint8Array(data);
  const rgb = new Uint8Array(length);
  for (let i = 0, p = 0; i < length; i += 3, p += channels) {
    // Grey (1 channel) feeds all three; RGBA (4) loses its alpha.
    rgb[i] = data[p]!;
    rgb[i + 1] = data[channels === 1 ? p : p + 1]!;
    rgb[i + 2] = data[channels === 1 ? p : p + 2]!;
  }
  return rgb;
}
