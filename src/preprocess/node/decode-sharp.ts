import { fileURLToPath } from 'node:url';
import { describeUrlInput } from '../../node/url-input.js';
import type { Metadata, Sharp, SharpOptions } from 'sharp';
import { FileTypeError, readRegularFile, readRegularFileSync } from '../../node/read-regular-file.js';
import { decodeSmallJpeg } from './decode-jpeg-wasm.js';
import { readJpegHeader } from '../jpeg-header.js';
import { cmykToRgbAsPil } from '../cmyk.js';
import { ImageError } from '../errors.js';
import type { RawPixels } from '../pixels.js';

/** Largest encoded image decoded by default, in pixels (width × height as its header states them). */
export const DEFAULT_MAX_PIXELS = 100_000_000;

export interface DecodeOptions {
  /**
   * Largest image accepted, in pixels, against decompression bombs (a few kB of PNG or JPEG can claim gigapixels);
   * checked on the header, before any pixel is decoded. Default 100 megapixels; `Infinity` removes the limit.
   */
  readonly maxPixels?: number | undefined;
  /**
   * Read an image file with blocking calls (default false): a fraction of the CPU time per small file, but this
   * thread waits on each read. For a thread with nothing else to do meanwhile; see LoadClassifierOptions.blockingReads.
   */
  readonly blockingReads?: boolean | undefined;
}

export interface DecodedImage {
  readonly pixels: RawPixels;
  /** How errors name the image: its path, or `image buffer (N bytes)`. */
  readonly label: string;
}

/**
 * An encoded image (a file path, or its bytes) → 8-bit pixels the way PIL's `ImageOps.exif_transpose(img)
 * .convert('RGB')` sees them: turned upright by its EXIF orientation, alpha dropped without blending (the colour
 * under transparent pixels stays, as convert('RGB') keeps it; blending onto a background would differ from every
 * torchvision pipeline), the embedded ICC profile ignored (PIL does not apply it), 16-bit samples cut to their high
 * byte. Always RGB (channels 3): sharp writes grey images out as three equal channels, as convert('RGB') does;
 * CMYK (JPEG, TIFF) is converted with PIL's own formula, not a colour profile.
 */
export async function decodeImage(input: string | Uint8Array, options: DecodeOptions = {}): Promise<DecodedImage> {
  const maxPixels = checkMaxPixels(options.maxPixels);
  const label = typeof input === 'string' ? input : `image buffer (${input.length} bytes)`;
  const bytes = typeof input === 'string' ? await readImageFile(input, options.blockingReads === true) : input;
  if (bytes.length === 0) throw new ImageError(`${label} is empty (0 bytes)`);
  const zeroSize = zeroSizedPng(bytes);
  if (zeroSize !== undefined) throw new ImageError(`${label} has no pixels (${zeroSize})`);

  const small = await decodeSmallJpeg(bytes, maxPixels);
  if (small !== undefined) return { pixels: small, label };

  const sharp = await loadSharp();
  if (await isCmyk(bytes, sharp)) return { pixels: await decodeCmyk(bytes, label, maxPixels, sharp), label };
  // One sharp call on the happy path (the header is read again only to explain a failure): with small images
  // such as CIFAR's, a second call would cost as much as the decoding.
  const decoded = await sharp(bytes, {
    limitInputPixels: Number.isFinite(maxPixels) ? maxPixels : false,
    ignoreIcc: true,
  })
    .autoOrient()
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true })
    .catch(async (error: unknown) => {
      throw await explainFailure(bytes, label, maxPixels, error);
    });
  const { data, info } = decoded;
  if (info.channels !== 3) throw new ImageError(`${label} decodes to ${info.channels} channels instead of RGB`);
  return { pixels: { data, width: info.width, height: info.height, channels: info.channels }, label };
}

/** Whether an image's samples are CMYK: a 4-component JPEG (the header alone), or a TIFF that says so. */
async function isCmyk(bytes: Uint8Array, sharp: SharpFunction): Promise<boolean> {
  const jpeg = readJpegHeader(bytes);
  if (jpeg !== undefined) return jpeg.components === 4;
  if (!isTiff(bytes)) return false; // PNG, WebP, GIF and AVIF have no CMYK
  try {
    return (await sharp(bytes, { limitInputPixels: false }).metadata()).space === 'cmyk';
  } catch {
    return false; // decoding will say what is wrong
  }
}

/** TIFF's byte-order marks: II*\0 (little-endian) or MM\0* (big-endian). */
function isTiff(bytes: Uint8Array): boolean {
  const [a, b, c, d] = bytes;
  return (a === 0x49 && b === 0x49 && c === 0x2a && d === 0) || (a === 0x4d && b === 0x4d && c === 0 && d === 0x2a);
}

/** A CMYK image's samples as decoded (JPEG's Adobe inversion undone, no profile applied), then PIL's conversion. */
async function decodeCmyk(
  bytes: Uint8Array,
  label: string,
  maxPixels: number,
  sharp: SharpFunction,
): Promise<RawPixels> {
  const { data, info } = await sharp(bytes, {
    limitInputPixels: Number.isFinite(maxPixels) ? maxPixels : false,
    ignoreIcc: true,
  })
    .autoOrient()
    .removeAlpha()
    // A CMYK pipeline written out as CMYK: the samples pass through untouched (checked against PIL's in tests).
    .pipelineColourspace('cmyk')
    .toColourspace('cmyk')
    .raw()
    .toBuffer({ resolveWithObject: true })
    .catch(async (error: unknown) => {
      throw await explainFailure(bytes, label, maxPixels, error);
    });
  if (info.channels !== 4) throw new ImageError(`${label} decodes to ${info.channels} channels instead of CMYK`);
  return { data: cmykToRgbAsPil(data), width: info.width, height: info.height, channels: 3 };
}

/**
 * The size an encoded image's header states, read without decoding a pixel (the JPEG markers, else sharp's header
 * reader); undefined when no header can be read, and decoding will then say what is wrong. For bounds checked
 * before anything is decoded, such as a server's pixel budget per request.
 */
export async function readImageSize(bytes: Uint8Array): Promise<{ width: number; height: number } | undefined> {
  const jpeg = readJpegHeader(bytes);
  if (jpeg !== undefined) return { width: jpeg.width, height: jpeg.height };
  const sharp = await loadSharp();
  try {
    const { width, height } = await sharp(bytes, { limitInputPixels: false }).metadata();
    return width === undefined || height === undefined ? undefined : { width, height };
  } catch {
    return undefined;
  }
}

/** Megapixels for messages, one decimal. */
function megapixels(pixels: number): string {
  return pixels === Infinity ? 'unlimited' : String(Math.round(pixels / 1e5) / 10);
}

/** A pixel count for messages: '25.2 megapixels', or the exact count below a tenth of one ('1056 pixels'). */
export function describePixels(pixels: number): string {
  return pixels < 100_000 ? `${pixels} pixels` : `${megapixels(pixels)} megapixels`;
}

/** Why sharp could not decode `bytes`, as an ImageError: too large, not an image, or a damaged one. */
async function explainFailure(
  bytes: Uint8Array,
  label: string,
  maxPixels: number,
  error: unknown,
): Promise<ImageError> {
  let header: Metadata;
  const sharp = await loadSharp();
  try {
    // The header alone, with sharp's own limit off so that an oversized image can be named with its size.
    header = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (headerError) {
    return new ImageError(`${label} is not an image sharp can decode (${sharpReason(headerError)})`, {
      cause: headerError,
    });
  }
  const { width = 0, height = 0, format = 'image' } = header;
  if (width === 0 || height === 0)
    return new ImageError(`${label} has no pixels (${width}×${height})`, { cause: error });
  if (width * height > maxPixels) {
    return new ImageError(
      `${label} is ${width}×${height} (${megapixels(width * height)} megapixels), over the limit of ${megapixels(maxPixels)} megapixels (maxPixels)`,
      { cause: error },
    );
  }
  return new ImageError(`${label} is a truncated or corrupt ${format.toUpperCase()} image (${sharpReason(error)})`, {
    cause: error,
  });
}

/** sharp is loaded on first use: a run on small JPEGs only never needs it, and loading it costs ~50 ms of start-up. */
type SharpFunction = (input: Uint8Array, options?: SharpOptions) => Sharp;

async function loadSharp(): Promise<SharpFunction> {
  return (await import('sharp')).default;
}

function checkMaxPixels(maxPixels: number | undefined): number {
  if (maxPixels === undefined) return DEFAULT_MAX_PIXELS;
  if (!(maxPixels === Infinity || (Number.isInteger(maxPixels) && maxPixels > 0))) {
    throw new RangeError(`maxPixels must be a positive integer or Infinity, got ${maxPixels}`);
  }
  return maxPixels;
}

/** Regular files only: a FIFO named x.jpg would block the read for ever, a device never end. */
async function readImageFile(path: string, blocking: boolean): Promise<Uint8Array> {
  const url = describeUrlInput(path, 'image');
  if (url !== undefined) throw new ImageError(url);
  const file = path.toLowerCase().startsWith('file://') ? fileURLToPath(path) : path;
  try {
    return blocking ? readRegularFileSync(file) : await readRegularFile(file);
  } catch (error) {
    throw new ImageError(`cannot read ${path}: ${fileProblem(error)}`, { cause: error });
  }
}

function fileProblem(error: unknown): string {
  if (error instanceof FileTypeError)
    return error.kind === 'a directory' ? 'it is a directory' : `not a regular file (${error.kind})`;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}

/**
 * The first line of a sharp error without its "Input file has" / "Input buffer contains" opening, so that one
 * message reads the same for a path and for bytes: "unsupported image format", "VipsJpeg: premature end of JPEG
 * image", "corrupt header: VipsJpeg: …".
 */
function sharpReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split('\n', 1)[0] ?? '';
  return firstLine
    .replace(/^Input (file|buffer) (contains|has|is) /i, '')
    .replace(/:\s*$/, '')
    .trim();
}

/** libpng refuses a 0-wide or 0-high PNG with a reason that sharp drops ("corrupt header:"); name it instead. */
function zeroSizedPng(bytes: Uint8Array): string | undefined {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 24 || !signature.every((b, i) => bytes[i] === b)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  return width === 0 || height === 0 ? `${width}×${height}` : undefined;
}
