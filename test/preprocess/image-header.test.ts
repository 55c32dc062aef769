/**
 * The browser-safe image header check (src/preprocess/check-encoded-image.ts): formats recognised by their bytes,
 * sizes read as the decoders read them, and the work a small file can cause (scans, frames, pages) bounded before
 * any decoder starts. Every refusal is one line naming the image.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { checkEncodedImage } from '../../src/preprocess/check-encoded-image.js';
import { ImageError } from '../../src/preprocess/errors.js';
import { countJpegScans } from '../../src/preprocess/header/jpeg.js';
import { readImageHeader } from '../../src/preprocess/header/read-image-header.js';
import { MAX_FRAMES, MAX_JPEG_SCANS } from '../../src/preprocess/image-limits.js';
import { filterChainSvg, manyFrameGif, manyFrameWebp, manyPageTiff, manyScanJpeg } from '../support/hostile-images.js';

const ACCEPTED = '(JPEG, PNG, WebP, GIF, TIFF, BMP)';
const limits = { maxPixels: 100_000_000, limitName: 'maxPixels' };
const bounds = { maxScans: MAX_JPEG_SCANS, maxFrames: MAX_FRAMES };

function refuses(bytes: Uint8Array, message: string, options = limits): void {
  assert.throws(
    () => checkEncodedImage(bytes, 'x.png', options),
    (error: unknown) => error instanceof ImageError && error.message === message,
    `expected: ${message}`,
  );
}

const picture = () => sharp({ create: { width: 37, height: 23, channels: 3, background: { r: 10, g: 200, b: 30 } } });

describe('image headers read as the decoders read them', () => {
  it('JPEG, PNG, WebP (lossy, lossless), GIF, TIFF: format and size equal sharp’s metadata', async () => {
    const encoded: Record<string, Buffer> = {
      jpeg: await picture().jpeg().toBuffer(),
      'progressive jpeg': await picture().jpeg({ progressive: true }).toBuffer(),
      png: await picture().png().toBuffer(),
      'webp lossy': await picture().webp().toBuffer(),
      'webp lossless': await picture().webp({ lossless: true }).toBuffer(),
      gif: await picture().gif().toBuffer(),
      tiff: await picture().tiff().toBuffer(),
      'tiff big-endian': await picture().tiff({ compression: 'lzw' }).toBuffer(),
    };
    for (const [what, bytes] of Object.entries(encoded)) {
      const header = checkEncodedImage(bytes, what, limits);
      const metadata = await sharp(bytes).metadata();
      assert.equal(header.format, metadata.format === 'tiff' ? 'tiff' : metadata.format, what);
      assert.deepEqual([header.width, header.height, header.frames], [37, 23, 1], what);
    }
  });

  it('counts a progressive JPEG’s scans and a baseline one’s single scan', async () => {
    const baseline = await picture().jpeg().toBuffer();
    const progressive = await picture().jpeg({ progressive: true }).toBuffer();
    assert.equal(countJpegScans(baseline, 1000), 1);
    assert.equal(countJpegScans(progressive, 1000), 10); // libjpeg's default progression for colour
  });

  it('an animated WebP’s frames, as sharp counts its pages', async () => {
    const frames = await Promise.all(
      [10, 100, 200].map((r) =>
        sharp({ create: { width: 8, height: 8, channels: 3, background: { r, g: 0, b: 0 } } })
          .png()
          .toBuffer(),
      ),
    );
    const webp = await sharp(frames, { join: { animated: true } })
      .webp()
      .toBuffer();
    const header = checkEncodedImage(webp, 'animated.webp', limits);
    assert.equal(header.frames, (await sharp(webp).metadata()).pages);
    assert.equal(header.frames, 3);
  });

  it('a GIF frame that overhangs the screen grows the canvas, as libvips decodes it', async () => {
    const gif = manyFrameGif(1, 1, 3000);
    const header = readImageHeader(gif, bounds);
    assert.deepEqual(header, { format: 'gif', width: 3000, height: 3000, frames: 1, scans: 1 });
    const metadata = await sharp(gif).metadata();
    assert.deepEqual([metadata.width, metadata.height], [3000, 3000]);
    refuses(gif, 'x.png is 3000×3000 (9 megapixels), over the limit of 1 megapixels (--max-pixels)', {
      maxPixels: 1_000_000,
      limitName: '--max-pixels',
    });
  });

  it('a TIFF’s size is its first page’s, its pages counted along the directory chain', () => {
    assert.deepEqual(readImageHeader(manyPageTiff(3, 640, 480), bounds), {
      format: 'tiff',
      width: 640,
      height: 480,
      frames: 3,
      scans: 1,
    });
  });
});

describe('refused before any decoder sees the bytes', () => {
  it('SVG, whatever it is called, with or without a byte order mark or an XML declaration', () => {
    const svg = filterChainSvg();
    const message = `x.png is SVG, not an accepted image format ${ACCEPTED}`;
    refuses(svg, message);
    refuses(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), svg]), message);
    refuses(Buffer.concat([Buffer.from('<?xml version="1.0"?>\n'), svg]), message);
  });

  it('AVIF, PDF and text are named or refused in one line; a BMP of no known header, as a BMP', async () => {
    const bmp = Buffer.concat([Buffer.from('BM'), Buffer.alloc(60)]);
    refuses(bmp, 'x.png is a BMP image of a kind Pillow does not read either (an information header of 0 bytes)');
    refuses(await picture().avif().toBuffer(), `x.png is AVIF, not an accepted image format ${ACCEPTED}`);
    refuses(Buffer.from('%PDF-1.7\n'), `x.png is PDF, not an accepted image format ${ACCEPTED}`);
    refuses(Buffer.from('hello, world'), `x.png is not an image in an accepted format ${ACCEPTED}`);
    refuses(new Uint8Array(0), 'x.png is empty (0 bytes)');
  });

  it('a header that cannot be read, and an image of no pixels', async () => {
    refuses(
      (await picture().png().toBuffer()).subarray(0, 20),
      'x.png is a truncated or corrupt PNG image (no IHDR chunk at its start)',
    );
    refuses(
      Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'),
      'x.png is a truncated or corrupt GIF image (no image in it)',
    );
    refuses(manyFrameGif(1, 0, 0), 'x.png has no pixels (0×0)');
  });

  it(`a JPEG of more than ${MAX_JPEG_SCANS} scans; one at the bound passes`, async () => {
    const atBound = await manyScanJpeg(MAX_JPEG_SCANS - 10, 64); // 10 scans of its own
    assert.equal(checkEncodedImage(atBound, 'x.png', limits).scans, MAX_JPEG_SCANS);
    const bomb = await manyScanJpeg(100_000);
    const started = performance.now();
    refuses(
      bomb,
      `x.png is a JPEG of more than ${MAX_JPEG_SCANS} scans (a progressive JPEG has about 10): refused, each scan is a pass over the image`,
    );
    assert.ok(performance.now() - started < 500, 'the count stops at the bound');
  });

  it(`a GIF or animated WebP of more than ${MAX_FRAMES} frames, a TIFF of more pages; at the bound they pass`, () => {
    assert.equal(checkEncodedImage(manyFrameGif(MAX_FRAMES), 'x.png', limits).frames, MAX_FRAMES);
    refuses(
      manyFrameGif(MAX_FRAMES + 1),
      `x.png is a GIF of more than ${MAX_FRAMES} frames: refused, only the first is used`,
    );
    assert.equal(checkEncodedImage(manyFrameWebp(MAX_FRAMES), 'x.png', limits).frames, MAX_FRAMES);
    refuses(
      manyFrameWebp(MAX_FRAMES + 1),
      `x.png is a WebP of more than ${MAX_FRAMES} frames: refused, only the first is used`,
    );
    assert.equal(checkEncodedImage(manyPageTiff(MAX_FRAMES), 'x.png', limits).frames, MAX_FRAMES);
    refuses(
      manyPageTiff(MAX_FRAMES + 1),
      `x.png is a TIFF of more than ${MAX_FRAMES} pages: refused, only the first is used`,
    );
  });

  it('a TIFF whose directory chain loops is counted once round', () => {
    const tiff = manyPageTiff(2);
    tiff.writeUInt32LE(8, 8 + 30 + 26); // the second directory's next pointer back to the first
    assert.equal(checkEncodedImage(tiff, 'x.png', limits).frames, 2);
  });
});
