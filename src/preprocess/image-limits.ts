/** Largest encoded image decoded by default, in pixels (width × height as its header states them). */
export const DEFAULT_MAX_PIXELS = 100_000_000;

/**
 * Most scans a JPEG may have: libjpeg-turbo's own bound for its tools (`-maxscans`); a progressive JPEG written by
 * libjpeg or mozjpeg has about 10, and each scan is a pass over the whole image.
 */
export const MAX_JPEG_SCANS = 500;

/**
 * Most frames (GIF, animated WebP) or pages (TIFF) in an image. Only the first is decoded, but decoders walk every
 * frame's header to open the file (libvips: about half a microsecond each, 0.5 s for a 15 MB GIF of a million).
 */
export const MAX_FRAMES = 10_000;

/** Megapixels for messages, one decimal. */
function megapixels(pixels: number): string {
  return pixels === Infinity ? 'unlimited' : String(Math.round(pixels / 1e5) / 10);
}

/** A pixel count for messages: '25.2 megapixels', or the exact count below a tenth of one ('1056 pixels'). */
export function describePixels(pixels: number): string {
  return pixels < 100_000 ? `${pixels} pixels` : `${megapixels(pixels)} megapixels`;
}

/** The pixel limit asked for, or the default; a RangeError for anything but a positive integer or Infinity. */
export function checkMaxPixels(maxPixels: number | undefined): number {
  if (maxPixels === undefined) return DEFAULT_MAX_PIXELS;
  if (!(maxPixels === Infinity || (Number.isInteger(maxPixels) && maxPixels > 0))) {
    throw new RangeError(`maxPixels must be a positive integer or Infinity, got ${maxPixels}`);
  }
  return maxPixels;
}
