import { fileURLToPath } from 'node:url';
import { describeUrlInput, readProblem, readRegularFile, readRegularFileSync } from '../../io/index.js';
import { decodeSmallJpeg } from './decode-jpeg-wasm.js';
import { readJpegHeader } from '../jpeg-header.js';
import { cmykToRgbAsPil } from '../cmyk.js';
import { decodeBmp } from '../bmp/decode-bmp.js';
import { checkEncodedImage } from '../check-encoded-image.js';
import { ImageError } from '../errors.js';
import { ACCEPTED_FORMAT_NAMES, isHeaderProblem, type ImageFormat } from '../header/image-header.js';
import { readImageHeader } from '../header/read-image-header.js';
import { checkMaxPixels, MAX_FRAMES, MAX_JPEG_SCANS } from '../image-limits.js';
import type { RawPixels } from '../pixels.js';
import type { OutputInfo, Sharp } from 'sharp';

export { DEFAULT_MAX_PIXELS, describePixels } from '../image-limits.js';

/**
 * How an image file or encoded bytes are decoded in Node: the pixel limit against decompression bombs, blocking reads.
 *
 * @example
 * ```ts
 * import { preprocessImage, type DecodeOptions, type PreprocessSpec } from 'nin-sdk';
 * declare const spec: PreprocessSpec;
 * const options: DecodeOptions = { maxPixels: 20e6 };
 * const image = await preprocessImage('cat.jpg', spec, options);
 * ```
 */
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
  /** How errors name an image given as bytes (default `image buffer (N bytes)`; a path names itself). */
  readonly name?: string | undefined;
  /** How the size error names the pixel limit (default `maxPixels`; a CLI passes its flag, `--max-pixels`). */
  readonly limitName?: string | undefined;
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
 * CMYK (JPEG, TIFF) is converted with PIL's own formula, not a colour profile. Only JPEG, PNG, WebP, GIF, TIFF and
 * BMP are decoded, recognised by their bytes, and of those with several frames or pages the first only (see
 * checkEncodedImage for what is refused before any decoder starts). BMPs are decoded in process (decodeBmp, equal
 * to Pillow's reading byte for byte), synchronously: a 12-megapixel BMP blocks this thread (docs/benchmarks.md says
 * how long), most of it allocating its 36 MB of RGB.
 */
export async function decodeImage(input: string | Uint8Array, options: DecodeOptions = {}): Promise<DecodedImage> {
  const maxPixels = checkMaxPixels(options.maxPixels);
  const label = typeof input === 'string' ? input : (options.name ?? `image buffer (${input.length} bytes)`);
  const bytes = typeof input === 'string' ? await readImageFile(input, options.blockingReads === true) : input;
  const header = checkEncodedImage(bytes, label, { maxPixels, limitName: options.limitName ?? 'maxPixels' });

  // sharp has no BMP loader (libvips reads BMP only through ImageMagick, absent here and blocked below).
  if (header.format === 'bmp') return { pixels: decodeBmp(bytes, label), label };

  if (header.format === 'jpeg') {
    const small = await decodeSmallJpeg(bytes, maxPixels);
    if (small !== undefined) return { pixels: small, label };
  }

  const sharp = await loadSharp();
  if (await isCmyk(header.format, bytes, sharp))
    return { pixels: await decodeCmyk(bytes, label, header.format, maxPixels, sharp), label };
  const { data, info } = await rawSamples(uprightWithoutAlpha(sharp, bytes, maxPixels), label, header.format);
  if (info.channels !== 3) throw new ImageError(`${label} decodes to ${info.channels} channels instead of RGB`);
  return { pixels: { data, width: info.width, height: info.height, channels: info.channels }, label };
}

/**
 * sharp on an image whose header passed the check: its first frame or page, turned upright by its EXIF orientation,
 * alpha dropped, no ICC profile applied (as PIL's convert('RGB')).
 */
function uprightWithoutAlpha(sharp: SharpFunction, bytes: Uint8Array, maxPixels: number): Sharp {
  return sharp(bytes, {
    // Checked above already; sharp's own check stays as a second one, on what libvips itself reads.
    limitInputPixels: Number.isFinite(maxPixels) ? maxPixels : false,
    ignoreIcc: true,
    // The first frame or page only (sharp's default, said here because the pixel bound relies on it).
    pages: 1,
    page: 0,
  })
    .autoOrient()
    .removeAlpha();
}

/** A pipeline's output as raw 8-bit samples; a decoding failure as the ImageError that names the image. */
function rawSamples(pipeline: Sharp, label: string, format: ImageFormat): Promise<{ data: Buffer; info: OutputInfo }> {
  return pipeline
    .raw()
    .toBuffer({ resolveWithObject: true })
    .catch((error: unknown) => {
      throw explainFailure(label, format, error);
    });
}

/** Whether an image's samples are CMYK: a 4-component JPEG (its markers alone), or a TIFF that says so. */
async function isCmyk(format: ImageFormat, bytes: Uint8Array, sharp: SharpFunction): Promise<boolean> {
  if (format === 'jpeg') return readJpegHeader(bytes)?.components === 4;
  if (format !== 'tiff') return false; // PNG, WebP and GIF have no CMYK
  try {
    return (await sharp(bytes, { limitInputPixels: false, pages: 1, page: 0 }).metadata()).space === 'cmyk';
  } catch {
    return false; // decoding will say what is wrong
  }
}

/** A CMYK image's samples as decoded (JPEG's Adobe inversion undone, no profile applied), then PIL's conversion. */
async function decodeCmyk(
  bytes: Uint8Array,
  label: string,
  format: ImageFormat,
  maxPixels: number,
  sharp: SharpFunction,
): Promise<RawPixels> {
  // A CMYK pipeline written out as CMYK: the samples pass through untouched (checked against PIL's in tests).
  const pipeline = uprightWithoutAlpha(sharp, bytes, maxPixels).pipelineColourspace('cmyk').toColourspace('cmyk');
  const { data, info } = await rawSamples(pipeline, label, format);
  if (info.channels !== 4) throw new ImageError(`${label} decodes to ${info.channels} channels instead of CMYK`);
  return { data: cmykToRgbAsPil(data), width: info.width, height: info.height, channels: 3 };
}

/**
 * The size an encoded image's header states, read without decoding a pixel; undefined when it is in no accepted
 * format or its header cannot be read (decoding then refuses it before any pixel is held).
 */
export function readImageSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  const reading = readImageHeader(bytes, { maxScans: MAX_JPEG_SCANS, maxFrames: MAX_FRAMES });
  return reading === undefined || isHeaderProblem(reading)
    ? undefined
    : { width: reading.width, height: reading.height };
}

/** Why sharp could not decode an image whose header passed checkEncodedImage: a damaged one, as an ImageError. */
function explainFailure(label: string, format: ImageFormat, error: unknown): ImageError {
  return new ImageError(
    `${label} is a truncated or corrupt ${ACCEPTED_FORMAT_NAMES[format]} image (${sharpReason(error)})`,
    { cause: error },
  );
}

/** The libvips loaders of the accepted formats (each class covers its buffer, file and source variants). */
const ACCEPTED_LOADERS = [
  'VipsForeignLoadJpeg',
  'VipsForeignLoadPng',
  'VipsForeignLoadWebp',
  'VipsForeignLoadNsgif',
  'VipsForeignLoadTiff',
];

type SharpFunction = (typeof import('sharp'))['default'];
let sharpModule: Promise<SharpFunction> | undefined;

/**
 * sharp is loaded on first use: a run on small JPEGs only never needs it, and loading it is a large part of a cold
 * start (docs/benchmarks.md).
 * Once loaded, every libvips loader but the accepted formats' is blocked, so that even bytes that got past
 * checkEncodedImage could not reach librsvg, libheif or another decoder. This is process-wide: an application
 * that decodes SVG with sharp in the same process must call `sharp.unblock({ operation: ['VipsForeignLoadSvg'] })`
 * after nin-sdk has decoded an image.
 */
async function loadSharp(): Promise<SharpFunction> {
  sharpModule ??= import('sharp').then(({ default: sharp }) => {
    sharp.block({ operation: ['VipsForeignLoad'] });
    sharp.unblock({ operation: ACCEPTED_LOADERS });
    return sharp;
  });
  return sharpModule;
}

/** Regular files only: a FIFO named x.jpg would block the read for ever, a device never end. */
async function readImageFile(path: string, blocking: boolean): Promise<Uint8Array> {
  const url = describeUrlInput(path, 'image');
  if (url !== undefined) throw new ImageError(url);
  const file = path.toLowerCase().startsWith('file://') ? fileURLToPath(path) : path;
  try {
    return blocking ? readRegularFileSync(file) : await readRegularFile(file);
  } catch (error) {
    throw new ImageError(`cannot read ${path}: ${readProblem(error)}`, { cause: error });
  }
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
