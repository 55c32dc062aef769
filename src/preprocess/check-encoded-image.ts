import { ImageError } from './errors.js';
import { ACCEPTED_FORMAT_NAMES, isHeaderProblem, type ImageHeader } from './header/image-header.js';
import { readImageHeader } from './header/read-image-header.js';
import { describeRefusedFormat } from './header/sniff-format.js';
import { describePixels, MAX_FRAMES, MAX_JPEG_SCANS } from './image-limits.js';

/** What checkEncodedImage holds an image to. */
export interface EncodedImageLimits {
  /** Largest width × height accepted (Infinity: none). */
  readonly maxPixels: number;
  /** How the size error names the limit: the library option `maxPixels`, a CLI's `--max-pixels`. */
  readonly limitName: string;
}

const ACCEPTED = Object.values(ACCEPTED_FORMAT_NAMES).join(', ');

/**
 * The one check every encoded image passes before any decoder sees its bytes (sharp, the in-process JPEG decoder,
 * a browser's createImageBitmap): its format is one of the accepted ones by its first bytes (decoders pick theirs
 * by content, whatever the file is called: an SVG named .png would otherwise reach librsvg), its header is
 * readable, and the work that decoding it can cost is bounded (pixels, JPEG scans, frames or pages). Returns the
 * header; throws a one-line ImageError naming the image (`label`) otherwise.
 */
export function checkEncodedImage(bytes: Uint8Array, label: string, limits: EncodedImageLimits): ImageHeader {
  if (bytes.length === 0) throw new ImageError(`${label} is empty (0 bytes)`);
  const reading = readImageHeader(bytes, { maxScans: MAX_JPEG_SCANS, maxFrames: MAX_FRAMES });
  if (reading === undefined) {
    const looksLike = describeRefusedFormat(bytes);
    throw new ImageError(
      looksLike === undefined
        ? `${label} is not an image in an accepted format (${ACCEPTED})`
        : `${label} is ${looksLike}, not an accepted image format (${ACCEPTED})`,
    );
  }
  const name = ACCEPTED_FORMAT_NAMES[reading.format];
  if (isHeaderProblem(reading)) {
    throw new ImageError(
      reading.unsupported === true
        ? `${label} is a ${name} image of a kind Pillow does not read either (${reading.problem})`
        : `${label} is a truncated or corrupt ${name} image (${reading.problem})`,
    );
  }
  const { width, height } = reading;
  if (width === 0 || height === 0) throw new ImageError(`${label} has no pixels (${width}×${height})`);
  if (width * height > limits.maxPixels) {
    throw new ImageError(
      `${label} is ${width}×${height} (${describePixels(width * height)}), over the limit of ${describePixels(limits.maxPixels)} (${limits.limitName})`,
    );
  }
  if (reading.scans > MAX_JPEG_SCANS) {
    throw new ImageError(
      `${label} is a JPEG of more than ${MAX_JPEG_SCANS} scans (a progressive JPEG has about 10): refused, each scan is a pass over the image`,
    );
  }
  if (reading.frames > MAX_FRAMES) {
    const unit = reading.format === 'tiff' ? 'pages' : 'frames';
    throw new ImageError(`${label} is a ${name} of more than ${MAX_FRAMES} ${unit}: refused, only the first is used`);
  }
  return reading;
}
