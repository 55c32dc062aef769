import { ImageError } from './errors.js';

/**
 * Decoded 8-bit pixels, row-major, channels interleaved (HWC): what sharp's `raw()` output and a browser's
 * `ImageData` (channels 4) hold.
 *
 * @example
 * ```ts
 * import { classify, type RawPixels } from 'nin-sdk';
 * const grey: RawPixels = { data: new Uint8Array(28 * 28).fill(128), width: 28, height: 28, channels: 1 };
 * const { top } = await classify(grey);
 * ```
 */
export interface RawPixels {
  readonly data: Uint8Array | Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
  /** 1 (grey, used for all three colour planes), 3 (RGB) or 4 (RGBA: alpha is ignored, as PIL's convert('RGB') does). */
  readonly channels: number;
}

export const SUPPORTED_CHANNELS: readonly number[] = [1, 3, 4];

/** Throws an ImageError unless the fields of `pixels` describe its data. */
export function checkPixels(pixels: RawPixels, label = 'raw image'): void {
  const { data, width, height, channels } = pixels;
  if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray)) {
    throw new ImageError(`${label}: data must be a Uint8Array or Uint8ClampedArray of 8-bit samples`);
  }
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new ImageError(`${label}: width and height must be whole numbers, got ${width}×${height}`);
  }
  if (width === 0 || height === 0) throw new ImageError(`${label} has no pixels (${width}×${height})`);
  if (!SUPPORTED_CHANNELS.includes(channels)) {
    throw new ImageError(`${label}: channels must be one of ${SUPPORTED_CHANNELS.join(', ')}, got ${channels}`);
  }
  const expected = width * height * channels;
  if (data.length !== expected) {
    throw new ImageError(
      `${label}: data holds ${data.length} bytes, but ${width}×${height}×${channels} needs ${expected}`,
    );
  }
}

/** The same pixels without their alpha channel (a copy), so that resampling does not spend a quarter of its time on it. */
export function withoutAlpha(pixels: RawPixels): RawPixels {
  if (pixels.channels !== 4) return pixels;
  const count = pixels.width * pixels.height;
  const rgb = new Uint8Array(count * 3);
  for (let i = 0, j = 0; i < count; i++, j += 4) {
    rgb[i * 3] = pixels.data[j]!;
    rgb[i * 3 + 1] = pixels.data[j + 1]!;
    rgb[i * 3 + 2] = pixels.data[j + 2]!;
  }
  return { data: rgb, width: pixels.width, height: pixels.height, channels: 3 };
}
