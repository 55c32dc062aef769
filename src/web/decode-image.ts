import {
  decodeBmp,
  checkEncodedImage,
  ImageError,
  type ImageHeader,
  checkMaxPixels,
  describePixels,
  type RawPixels,
} from '../preprocess/index.js';
import { readUnpremultiplied } from './unpremultiplied-pixels.js';

/**
 * What the browser entry accepts as an image: a loaded `<img>`, an `ImageBitmap`, an encoded file (`Blob`, `File`),
 * decoded `ImageData`, a canvas (2D or WebGL, on or off screen), or already decoded 8-bit pixels.
 *
 * @example
 * ```ts
 * import { classify, type WebImage } from 'nin-sdk/web';
 * const image: WebImage = document.querySelector('img')!;
 * const { top } = await classify(image);
 * ```
 */
export type WebImage =
  HTMLImageElement | ImageBitmap | Blob | ImageData | HTMLCanvasElement | OffscreenCanvas | RawPixels;

/**
 * How encoded images are turned into bitmaps so that their pixels equal a plain decode, the way the Node path
 * (sharp with `ignoreIcc`, `autoOrient`) and PIL see them: no colour-profile conversion (PIL ignores ICC
 * profiles), no premultiplication (PIL's convert('RGB') keeps the colour under transparent pixels), EXIF
 * orientation applied (as `ImageOps.exif_transpose`).
 */
const PLAIN_DECODE: ImageBitmapOptions = {
  colorSpaceConversion: 'none',
  premultiplyAlpha: 'none',
  imageOrientation: 'from-image',
};

/**
 * How the browser entry decodes encoded images: the largest accepted.
 *
 * @example
 * ```ts
 * import { decodeImage, type WebDecodeOptions } from 'nin-sdk/web';
 * declare const file: File;
 * const options: WebDecodeOptions = { maxPixels: 20_000_000 };
 * const pixels = await decodeImage(file, options);
 * ```
 */
export interface WebDecodeOptions {
  /**
   * Largest encoded image decoded, in pixels (default 100 megapixels, as in Node; `Infinity` lifts it): a few
   * hundred kB of PNG can claim gigapixels, and the browser would allocate them all. Checked on the file's header
   * before the browser decodes it (for an `<img>`, on its natural size once loaded).
   */
  readonly maxPixels?: number;
}

/**
 * The header of an encoded image file checked before any decoding, as Node checks it: JPEG, PNG, WebP, GIF, TIFF
 * or BMP by its bytes, at most `maxPixels`, JPEG scans and frames bounded; a one-line ImageError naming the file
 * otherwise. For a page that shows a preview of the file: check it first, or the `<img>` decodes the bomb.
 *
 * @param file - the encoded image file
 * @param options - the largest image accepted
 * @returns what its header says: format, size, frames, scans
 * @throws ImageError for a file that is not an accepted image, or too large
 * @example
 * ```ts
 * import { checkImageFile } from 'nin-sdk/web';
 * declare const file: File;
 * declare const preview: HTMLImageElement;
 * await checkImageFile(file); // throws `huge.png is 12000×12000 (144 megapixels), over the limit of 100 …`
 * preview.src = URL.createObjectURL(file);
 * ```
 */
export async function checkImageFile(file: Blob, options: WebDecodeOptions = {}): Promise<ImageHeader> {
  return (await readCheckedFile(file, checkMaxPixels(options.maxPixels))).header;
}

/** A file's bytes and its checked header. */
async function readCheckedFile(file: Blob, maxPixels: number): Promise<{ bytes: Uint8Array; header: ImageHeader }> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  return { bytes, header: checkEncodedImage(bytes, describeBlob(file), { maxPixels, limitName: 'maxPixels' }) };
}

/**
 * Any WebImage → RGBA (or the caller's own) 8-bit pixels, ready for the pure preprocessing pipeline, equal to
 * the sharp path's for the same file (JPEG and PNG measured bit-identical in Chromium, transparent PNGs too).
 * A BMP file is decoded by nin-sdk's own decoder (RGB), as in Node: browsers widen 5- and 6-bit colours and read
 * RLE and odd palettes their own way, not Pillow's. An `<img>` showing a BMP is decoded by the browser.
 * Canvases and ImageBitmaps made by the caller are taken as they are: if premultiplied, the colour under
 * transparent pixels is already gone.
 *
 * @param image - the image, of any kind WebImage names
 * @param options - the largest encoded image decoded
 * @returns its 8-bit pixels (RGBA from the browser, RGB from nin-sdk's BMP decoder)
 * @throws ImageError for a file that is not an accepted image, too large or undecodable
 * @example
 * ```ts
 * import { decodeImage } from 'nin-sdk/web';
 * declare const file: File;
 * const { width, height, channels } = await decodeImage(file);
 * ```
 */
export async function decodeImage(image: WebImage, options: WebDecodeOptions = {}): Promise<RawPixels> {
  if (isImageData(image)) return { data: image.data, width: image.width, height: image.height, channels: 4 };
  if (isRawPixels(image)) return image;
  if (isBitmap(image)) return bitmapPixels(image);
  const maxPixels = checkMaxPixels(options.maxPixels);
  if (image instanceof Blob) {
    const { bytes, header } = await readCheckedFile(image, maxPixels);
    if (header.format === 'bmp') return decodeBmp(bytes, describeBlob(image));
  }
  const bitmap = await toBitmap(image, maxPixels);
  try {
    return bitmapPixels(bitmap);
  } finally {
    bitmap.close();
  }
}

async function toBitmap(
  image: Exclude<WebImage, ImageData | RawPixels | ImageBitmap>,
  maxPixels: number,
): Promise<ImageBitmap> {
  if (image instanceof Blob) {
    // Checked by decodeImage already.
    return createImageBitmap(image, PLAIN_DECODE).catch((error: unknown) => {
      throw new ImageError(`${describeBlob(image)} is not an image this browser can decode (${reason(error)})`, {
        cause: error,
      });
    });
  }
  if (isImageElement(image)) {
    // Its natural size is known once loaded, before decode() makes the bitmap: the pixel limit comes first.
    await loaded(image);
    checkElementSize(image, maxPixels);
    // decode() rejects for a broken image, with the browser's reason.
    await image.decode().catch((error: unknown) => {
      throw new ImageError(
        `image ${image.currentSrc || image.src || '(no src)'} cannot be decoded (${reason(error)})`,
        { cause: error },
      );
    });
  }
  // An <img>'s width is its rendered size (0 when styled so); its pixels are naturalWidth × naturalHeight.
  const [width, height] = isImageElement(image)
    ? [image.naturalWidth, image.naturalHeight]
    : [image.width, image.height];
  if (width === 0 || height === 0) throw new ImageError(`${image.constructor.name} has no pixels (${width}×${height})`);
  return createImageBitmap(image, PLAIN_DECODE);
}

/** Waits until an <img> has loaded (or failed to): its natural size is then known, nothing is decoded yet. */
async function loaded(image: HTMLImageElement): Promise<void> {
  if (image.complete) return;
  await new Promise<void>((resolve) => {
    image.addEventListener('load', () => resolve(), { once: true });
    image.addEventListener('error', () => resolve(), { once: true });
  });
}

/** The pixel limit on an <img>'s natural size (an element's bytes cannot be read, its header not checked). */
function checkElementSize(image: HTMLImageElement, maxPixels: number): void {
  const { naturalWidth: width, naturalHeight: height } = image;
  if (width * height > maxPixels) {
    throw new ImageError(
      `image ${image.currentSrc || image.src} is ${width}×${height} (${describePixels(width * height)}), over the limit of ${describePixels(maxPixels)} (maxPixels)`,
    );
  }
}

/**
 * Through a 2D canvas, the plain way; an image with any transparency is read again through WebGL, since the
 * canvas premultiplies alpha and so loses the colour under transparent pixels that PIL keeps.
 */
function bitmapPixels(bitmap: ImageBitmap): RawPixels {
  const { width, height } = bitmap;
  if (width === 0 || height === 0) throw new ImageError(`ImageBitmap has no pixels (${width}×${height})`);
  const context = drawingContext(width, height);
  // 'copy' writes the bitmap's pixels as they are instead of blending them onto the (transparent) canvas.
  context.globalCompositeOperation = 'copy';
  context.drawImage(bitmap, 0, 0);
  const drawn = readBack(context, width, height);
  const data = isOpaque(drawn) ? drawn : (readUnpremultiplied(bitmap) ?? drawn);
  return { data, width, height, channels: 4 };
}

function readBack(context: Context2D, width: number, height: number): Uint8ClampedArray {
  try {
    return context.getImageData(0, 0, width, height).data;
  } catch (error) {
    if (error instanceof DOMException && error.name === 'SecurityError') {
      throw new ImageError(
        'the image comes from another origin without CORS, so the browser does not let the page read its pixels ' +
          '(serve it with Access-Control-Allow-Origin and set crossOrigin = "anonymous" on the <img>, or pass a Blob)',
        { cause: error },
      );
    }
    throw error;
  }
}

function isOpaque(rgba: Uint8ClampedArray): boolean {
  for (let i = 3; i < rgba.length; i += 4) if (rgba[i] !== 255) return false;
  return true;
}

type Context2D = OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D;

/** A 2D context to read pixels back from: an OffscreenCanvas where there is one (workers too), else a detached <canvas>. */
function drawingContext(width: number, height: number): Context2D {
  const settings: CanvasRenderingContext2DSettings = { willReadFrequently: true, colorSpace: 'srgb' };
  const context =
    typeof OffscreenCanvas !== 'undefined'
      ? new OffscreenCanvas(width, height).getContext('2d', settings)
      : Object.assign(document.createElement('canvas'), { width, height }).getContext('2d', settings);
  if (context === null) throw new ImageError("this browser cannot create a 2D canvas to read the image's pixels");
  return context;
}

function isImageData(image: WebImage): image is ImageData {
  return typeof ImageData !== 'undefined' && image instanceof ImageData;
}

function isBitmap(image: WebImage): image is ImageBitmap {
  return typeof ImageBitmap !== 'undefined' && image instanceof ImageBitmap;
}

function isImageElement(image: WebImage): image is HTMLImageElement {
  return typeof HTMLImageElement !== 'undefined' && image instanceof HTMLImageElement;
}

function isRawPixels(image: WebImage): image is RawPixels {
  return 'data' in image && 'channels' in image;
}

function describeBlob(blob: Blob): string {
  const name = typeof File !== 'undefined' && blob instanceof File ? blob.name : 'image blob';
  return `${name} (${blob.size} bytes${blob.type ? `, ${blob.type}` : ''})`;
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
