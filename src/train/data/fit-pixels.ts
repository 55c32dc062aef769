import { specChannels, type PreprocessSpec, type RawPixels, resizeAndCropPixels } from '../../preprocess/index.js';
import { imageBytes } from './image-dataset.js';

/**
 * Decoded pixels → the spec's inputSize square as bytes (HWC), by the same geometry as inference (resize the shorter
 * side to `resizeShorterSide`, Pillow's bilinear, then the centre crop), so that a model sees training images as it
 * will see images later. Images already of the input size are taken as they are, which for CIFAR-10's 32×32 files
 * means decoding is all there is. It is inference's own resizeAndCropPixels (its size limit included). A 3-channel spec gets RGB (grey becomes R = G = B; alpha is dropped); a 1-channel
 * spec gets grey, made by src/preprocess's toGrey (PIL's convert('L')) before the resize, as inference makes it.
 */
export function fitPixels(pixels: RawPixels, spec: PreprocessSpec): Uint8Array {
  const fitted = resizeAndCropPixels(pixels, spec, 'training image');
  return specChannels(spec) === 1 ? asBytes(fitted.data) : toRgb(fitted, imageBytes(spec.inputSize));
}

function asBytes(data: RawPixels['data']): Uint8Array {
  return data instanceof Uint8Array ? data : new Uint8Array(data);
}

function toRgb(pixels: RawPixels, length: number): Uint8Array {
  const { data, channels } = pixels;
  if (channels === 3) return asBytes(data);
  const rgb = new Uint8Array(length);
  for (let i = 0, p = 0; i < length; i += 3, p += channels) {
    // Grey (1 channel) feeds all three; RGBA (4) loses its alpha.
    rgb[i] = data[p]!;
    rgb[i + 1] = data[channels === 1 ? p : p + 1]!;
    rgb[i + 2] = data[channels === 1 ? p : p + 2]!;
  }
  return rgb;
}
