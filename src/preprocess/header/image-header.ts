/**
 * The encoded formats nin-sdk decodes, recognised by their first bytes (never by a file name or a MIME type).
 *
 * @example
 * ```ts
 * import { checkImageFile, type ImageFormat } from 'nin-sdk/web';
 * declare const file: File;
 * const format: ImageFormat = (await checkImageFile(file)).format;
 * ```
 */
export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'tiff' | 'bmp';

/** How messages name each accepted format, in the order they list them. */
export const ACCEPTED_FORMAT_NAMES: Readonly<Record<ImageFormat, string>> = {
  jpeg: 'JPEG',
  png: 'PNG',
  webp: 'WebP',
  gif: 'GIF',
  tiff: 'TIFF',
  bmp: 'BMP',
};

/**
 * What an image's header says, read without decoding a pixel.
 *
 * @example
 * ```ts
 * import { checkImageFile, type ImageHeader } from 'nin-sdk/web';
 * declare const file: File;
 * const header: ImageHeader = await checkImageFile(file);
 * console.log(`${header.format} ${header.width}×${header.height}, ${header.frames} frame(s)`);
 * ```
 */
export interface ImageHeader {
  readonly format: ImageFormat;
  /** The size of what a decoder makes of the first frame or page: the canvas it draws into. */
  readonly width: number;
  readonly height: number;
  /** Frames (GIF, animated WebP) or pages (TIFF) in the file, counted up to the reader's bound; 1 for the others. */
  readonly frames: number;
  /** Scans of a JPEG (1 for a baseline colour image, about 10 for a progressive one), counted up to the bound. */
  readonly scans: number;
}

/** A header that could not be read: why, in a few words that complete "a truncated or corrupt PNG image (…)". */
export interface HeaderProblem {
  readonly format: ImageFormat;
  readonly problem: string;
  /** The file is not damaged but of a kind that is not decoded (a BMP that Pillow refuses too). */
  readonly unsupported?: boolean;
}

/** What a format's reader returns. */
export type HeaderReading = ImageHeader | HeaderProblem;

/** True for a reading that says why the header could not be read, rather than what it holds. */
export function isHeaderProblem(reading: HeaderReading): reading is HeaderProblem {
  return 'problem' in reading;
}

/** A DataView over exactly these bytes (a Uint8Array may be a window on a larger buffer). */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** True when `bytes` start with `prefix` (numbers are bytes, a string is taken as Latin-1). */
export function startsWith(bytes: Uint8Array, prefix: string | readonly number[], at = 0): boolean {
  const codes = typeof prefix === 'string' ? [...prefix].map((c) => c.charCodeAt(0)) : prefix;
  if (bytes.length < at + codes.length) return false;
  return codes.every((code, i) => bytes[at + i] === code);
}
