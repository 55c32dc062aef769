import { readBmp } from './bmp.js';
import { type HeaderReading } from './image-header.js';
import { readGif } from './gif.js';
import { readJpeg } from './jpeg.js';
import { readPng } from './png.js';
import { sniffImageFormat } from './sniff-format.js';
import { readTiff } from './tiff.js';
import { readWebp } from './webp.js';

/** How far the readers count scans and frames: past these the image is refused, so counting further is no use. */
export interface CountBounds {
  readonly maxScans: number;
  readonly maxFrames: number;
}

/**
 * The header of an image in an accepted format (see sniffImageFormat), or why it cannot be read; undefined for
 * bytes in no accepted format. Reads no pixel; browser-safe (no Node API).
 */
export function readImageHeader(bytes: Uint8Array, bounds: CountBounds): HeaderReading | undefined {
  switch (sniffImageFormat(bytes)) {
    case 'jpeg':
      return readJpeg(bytes, bounds.maxScans);
    case 'png':
      return readPng(bytes);
    case 'webp':
      return readWebp(bytes, bounds.maxFrames);
    case 'gif':
      return readGif(bytes, bounds.maxFrames);
    case 'tiff':
      return readTiff(bytes, bounds.maxFrames);
    case 'bmp':
      return readBmp(bytes);
    case undefined:
      return undefined;
  }
}
