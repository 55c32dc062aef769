import { startsWith, type ImageFormat } from './image-header.js';

/**
 * The accepted format these bytes start as, or undefined. Each signature is the one its decoder checks, and none is
 * a prefix of text: libvips picks its loader by content, and an SVG (text) can then never pass for one of these
 * (a BMP's 'BM' is followed by a header size whose high bytes are zero; BMPs never reach libvips anyway).
 */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(bytes, 'RIFF') && startsWith(bytes, 'WEBP', 8)) return 'webp';
  if (startsWith(bytes, 'GIF87a') || startsWith(bytes, 'GIF89a')) return 'gif';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (isBmpStart(bytes)) return 'bmp';
  return undefined;
}

/**
 * What refused bytes look like, for the message (`… is SVG, not …`): the formats people send by mistake or on
 * purpose. Undefined for anything else.
 */
export function describeRefusedFormat(bytes: Uint8Array): string | undefined {
  if (startsWith(bytes, 'ftyp', 4)) return startsWith(bytes, 'avi', 8) ? 'AVIF' : 'HEIF or another ISO media file';
  if (startsWith(bytes, 'II+\0') || startsWith(bytes, 'MM\0+')) return 'BigTIFF';
  if (startsWith(bytes, '%PDF')) return 'PDF';
  if (startsWith(bytes, [0x1f, 0x8b])) return 'gzip data (SVGZ?)';
  if (startsWith(bytes, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50])) return 'JPEG 2000';
  if (startsWith(bytes, [0xff, 0x0a]) || startsWith(bytes, [0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20])) return 'JPEG XL';
  const text = leadingText(bytes);
  if (/<svg[\s>]/i.test(text)) return 'SVG';
  if (/^\s*<(\?xml|!doctype|html)/i.test(text)) return 'XML or HTML';
  return undefined;
}

/** The first kilobyte as Latin-1 text, a UTF-8 byte order mark dropped: enough to see an SVG's root element. */
function leadingText(bytes: Uint8Array): string {
  const start = startsWith(bytes, [0xef, 0xbb, 0xbf]) ? 3 : 0;
  let text = '';
  for (let i = start; i < Math.min(bytes.length, start + 1024); i++) text += String.fromCharCode(bytes[i]!);
  return text;
}

/**
 * 'BM', then (once the file is long enough to hold it) an information-header size below 256: its three high
 * bytes are zero, which no text has, so text that happens to start with "BM" is not taken for a BMP. BMPs go to
 * nin-sdk's own decoder, never to libvips.
 */
function isBmpStart(bytes: Uint8Array): boolean {
  if (!startsWith(bytes, 'BM')) return false;
  return bytes.length < 18 || startsWith(bytes, [0, 0, 0], 15);
}
