import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ImageError, preprocessImage } from '../../src/preprocess/node/index.js';
import { IMAGES, INVALID_IMAGES, SPECS } from './reference.js';

const spec = SPECS.cifar10;
const invalid = (name: string): string => join(INVALID_IMAGES, name);

async function rejectsWith(input: Parameters<typeof preprocessImage>[0], message: string, options = {}): Promise<void> {
  await assert.rejects(preprocessImage(input, spec, options), (error: unknown) => {
    assert.ok(error instanceof ImageError, `expected an ImageError, got ${String(error)}`);
    assert.equal(error.name, 'ImageError');
    assert.equal(error.message, message);
    return true;
  });
}

describe('preprocessImage errors (one line each, naming the image)', () => {
  it('missing file', async () => {
    const path = join(IMAGES, 'no-such-image.jpg');
    await rejectsWith(path, `cannot read ${path}: no such file`);
  });

  it('a directory', async () => {
    await rejectsWith(INVALID_IMAGES, `cannot read ${INVALID_IMAGES}: it is a directory`);
  });

  it('a text file named .jpg', async () => {
    const path = invalid('not-an-image.jpg');
    await rejectsWith(path, `${path} is not an image in an accepted format (JPEG, PNG, WebP, GIF, TIFF, BMP)`);
    await rejectsWith(
      readFileSync(path),
      'image buffer (50 bytes) is not an image in an accepted format (JPEG, PNG, WebP, GIF, TIFF, BMP)',
    );
  });

  it('an empty file and an empty buffer', async () => {
    const path = invalid('empty.png');
    await rejectsWith(path, `${path} is empty (0 bytes)`);
    await rejectsWith(new Uint8Array(0), 'image buffer (0 bytes) is empty (0 bytes)');
  });

  it('a JPEG cut short inside its compressed data', async () => {
    const path = invalid('truncated.jpg');
    await rejectsWith(path, `${path} is a truncated or corrupt JPEG image (VipsJpeg: premature end of JPEG image)`);
  });

  it('a JPEG cut short inside its header', async () => {
    const bytes = readFileSync(join(IMAGES, 'cat.jpg')).subarray(0, 300);
    await rejectsWith(
      bytes,
      'image buffer (300 bytes) is a truncated or corrupt JPEG image (its header is cut short or malformed)',
    );
  });

  it('a PNG cut short', async () => {
    const path = invalid('truncated.png');
    await rejectsWith(path, `${path} is a truncated or corrupt PNG image (vipspng: libpng read error)`);
  });

  it('a PNG with damaged compressed data', async () => {
    const path = invalid('corrupt.png');
    await rejectsWith(path, `${path} is a truncated or corrupt PNG image (vipspng: libpng read error)`);
  });

  it('a 0×0 PNG', async () => {
    const path = invalid('zero-size.png');
    await rejectsWith(path, `${path} has no pixels (0×0)`);
  });

  it('a decompression bomb: 74 bytes claiming 30000×30000', async () => {
    const path = invalid('bomb-30000x30000.png');
    await rejectsWith(path, `${path} is 30000×30000 (900 megapixels), over the limit of 100 megapixels (maxPixels)`);
  });

  it('the pixel limit is configurable, and undefined means the default', async () => {
    const path = join(IMAGES, 'scene-640x480.jpg');
    await rejectsWith(path, `${path} is 640×480 (0.3 megapixels), over the limit of 0.3 megapixels (maxPixels)`, {
      maxPixels: 300_000,
    });
    await preprocessImage(path, spec, { maxPixels: 640 * 480 });
    await preprocessImage(path, spec, { maxPixels: undefined });
    // Lifting the limit lets the bomb through to the decoder, which then finds its data missing.
    const bomb = invalid('bomb-30000x30000.png');
    await rejectsWith(bomb, `${bomb} is a truncated or corrupt PNG image (vipspng: libpng read error)`, {
      maxPixels: Infinity,
    });
  });

  it('an invalid pixel limit is a RangeError', async () => {
    await assert.rejects(preprocessImage(join(IMAGES, 'cat.jpg'), spec, { maxPixels: 0 }), {
      name: 'RangeError',
      message: 'maxPixels must be a positive integer or Infinity, got 0',
    });
  });

  it('raw pixels whose fields disagree', async () => {
    await rejectsWith({ data: new Uint8Array(0), width: 0, height: 0, channels: 3 }, 'raw image has no pixels (0×0)');
    await rejectsWith(
      { data: new Uint8Array(100), width: 32, height: 32, channels: 3 },
      'raw image: data holds 100 bytes, but 32×32×3 needs 3072',
    );
    await rejectsWith(
      { data: new Uint8Array(8), width: 2, height: 2, channels: 2 },
      'raw image: channels must be one of 1, 3, 4, got 2',
    );
    await rejectsWith(
      { data: new Uint8Array(3), width: 1.5, height: 2, channels: 1 },
      'raw image: width and height must be whole numbers, got 1.5×2',
    );
  });

  it('something that is not an image at all is a TypeError', async () => {
    await assert.rejects(preprocessImage(42 as unknown as string, spec), {
      name: 'TypeError',
      message:
        'preprocessImage: expected a file path, the bytes of an encoded image or raw pixels { data, width, height, channels }, got number',
    });
  });
});
