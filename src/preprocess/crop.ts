import type { CropBox } from './geometry.js';
import type { RawPixels } from './pixels.js';

/** The pixels inside `box`: a copy, or `pixels` itself when the box is the whole image (nothing to cut). */
export function cropPixels(pixels: RawPixels, box: CropBox): RawPixels {
  const { left, top, width, height } = box;
  if (left < 0 || top < 0 || left + width > pixels.width || top + height > pixels.height) {
    throw new RangeError(
      `crop ${width}×${height} at (${left}, ${top}) is outside the ${pixels.width}×${pixels.height} image`,
    );
  }
  if (left === 0 && top === 0 && width === pixels.width && height === pixels.height) return pixels;
  const { channels } = pixels;
  const rowLength = width * channels;
  const data = new Uint8Array(rowLength * height);
  for (let y = 0; y < height; y++) {
    const start = ((top + y) * pixels.width + left) * channels;
    data.set(pixels.data.subarray(start, start + rowLength), y * rowLength);
  }
  return { data, width, height, channels };
}
