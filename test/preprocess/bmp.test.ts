/**
 * BMP decoding (src/preprocess/bmp) against Pillow: every variety in fixtures/images/bmp (written by
 * fixtures/make_bmp_fixtures.py with the RGB bytes of Pillow 9.4's `convert('RGB')` beside each) decoded byte for
 * byte the same, through the decoder and through decodeImage; damaged and hostile BMPs refused in one line, before
 * anything the size of the image is allocated.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decodeBmp } from '../../src/preprocess/bmp/decode-bmp.js';
import { checkEncodedImage } from '../../src/preprocess/check-encoded-image.js';
import { ImageError } from '../../src/preprocess/errors.js';
import { decodeImage } from '../../src/preprocess/node/index.js';
import { decodeImage as decodeWebImage } from '../../src/web/decode-image.js';
import { FIXTURES } from '../support/fixtures.js';

const BMP_FIXTURES = join(FIXTURES, 'images', 'bmp');

interface BmpFixture {
  readonly file: string;
  readonly width: number;
  readonly height: number;
  readonly rgb: string;
  readonly reference: string;
  readonly note: string;
}

const manifest = JSON.parse(readFileSync(join(BMP_FIXTURES, 'manifest.json'), 'utf8')) as {
  readonly pillow: string;
  readonly images: readonly BmpFixture[];
};
const read = (name: string): Uint8Array<ArrayBuffer> => new Uint8Array(readFileSync(join(BMP_FIXTURES, name)));
const limits = { maxPixels: 100_000_000, limitName: 'maxPixels' };

/** A BMP's file header + 40-byte information header, then `rest` (palette, pixels); `colours` entries used. */
function infoBmp(width: number, height: number, bits: number, compression: number, rest: Uint8Array, colours = 0) {
  const bytes = new Uint8Array(54 + rest.length);
  const view = new DataView(bytes.buffer);
  bytes.set([0x42, 0x4d]);
  view.setUint32(2, bytes.length, true);
  view.setUint32(10, 54 + 4 * colours, true);
  view.setUint32(14, 40, true);
  view.setInt32(18, width, true);
  view.setInt32(22, height, true);
  view.setUint16(26, 1, true);
  view.setUint16(28, bits, true);
  view.setUint32(30, compression, true);
  view.setUint32(46, colours, true);
  bytes.set(rest, 54);
  return bytes;
}

/** The exact one-line ImageError, from the header check when it catches it, else from the decoder. */
function refuses(bytes: Uint8Array, message: string): void {
  assert.throws(
    () => {
      checkEncodedImage(bytes, 'x.bmp', limits);
      decodeBmp(bytes, 'x.bmp');
    },
    (error: unknown) => error instanceof ImageError && error.message === message,
    `expected: ${message}`,
  );
}

describe(`BMP decoded as Pillow ${manifest.pillow} reads it`, () => {
  for (const fixture of manifest.images) {
    it(`${fixture.file}: ${fixture.note}`, () => {
      const bytes = read(fixture.file);
      const header = checkEncodedImage(bytes, fixture.file, limits);
      assert.deepEqual([header.format, header.width, header.height], ['bmp', fixture.width, fixture.height]);
      const pixels = decodeBmp(bytes, fixture.file);
      assert.deepEqual([pixels.width, pixels.height, pixels.channels], [fixture.width, fixture.height, 3]);
      assert.deepEqual(Buffer.from(pixels.data), readFileSync(join(BMP_FIXTURES, fixture.rgb)));
    });
  }

  it('every variety is there: core, INFO, V2 to V5 headers; 1, 4, 8, 16, 24, 32 bits; RLE8, RLE4; top-down', () => {
    const files = manifest.images.map((fixture) => fixture.file).join(' ');
    for (const part of ['core-', 'v2', 'v3', 'v4', 'v5', 'rle8', 'rle4', 'topdown', 'rgb555', 'rgb565', '32'])
      assert.ok(files.includes(part), part);
  });

  it('through decodeImage (a path and bytes): the same pixels, labelled as given', async () => {
    const path = join(BMP_FIXTURES, 'rle8.bmp');
    const decoded = await decodeImage(path);
    assert.equal(decoded.label, path);
    assert.deepEqual(Buffer.from(decoded.pixels.data), readFileSync(join(BMP_FIXTURES, 'rle8.rgb')));
    const fromBytes = await decodeImage(read('cat-0000.bmp'));
    const fromPng = await decodeImage(read('cat-0000.png'));
    assert.deepEqual(Buffer.from(fromBytes.pixels.data), Buffer.from(fromPng.pixels.data));
  });
});

describe('the browser entry', () => {
  it('decodes a BMP Blob with the same decoder (no browser API touched: this runs in Node)', async () => {
    const pixels = await decodeWebImage(new Blob([read('rgb565-bitfields.bmp')]));
    assert.equal(pixels.channels, 3);
    assert.deepEqual(Buffer.from(pixels.data), readFileSync(join(BMP_FIXTURES, 'rgb565-bitfields.rgb')));
    await assert.rejects(decodeWebImage(new Blob([read('rle8.bmp').subarray(0, 100)])), {
      name: 'ImageError',
      message:
        'image blob (100 bytes) is a truncated or corrupt BMP image (its RLE8 data ends after 14 of its 45 pixels)',
    });
  });
});

describe('damaged and hostile BMPs refused in one line', () => {
  it('a huge claimed size, from a 60-byte file: the pixel limit, before anything is read', () => {
    refuses(
      infoBmp(100_000, 100_000, 24, 0, new Uint8Array(6)),
      'x.bmp is 100000×100000 (10000 megapixels), over the limit of 100 megapixels (maxPixels)',
    );
  });

  it('width × height past 2^32 (unsigned sizes, as Pillow reads them): the pixel limit', () => {
    refuses(
      infoBmp(-1, 0x7fffffff, 24, 0, new Uint8Array(6)),
      'x.bmp is 4294967295×2147483647 (9223372030412.3 megapixels), over the limit of 100 megapixels (maxPixels)',
    );
  });

  it('pixel data cut short, by one byte: refused before decoding (Pillow: "image file is truncated")', () => {
    const whole = read('pil-rgb24.bmp');
    refuses(
      whole.subarray(0, whole.length - 3 /* the last row's padding */ - 1),
      'x.bmp is a truncated or corrupt BMP image (its pixel data, 5 rows of 24 bytes from byte 54, needs 171 bytes; the file has 170)',
    );
    // The last row's padding is not needed, as Pillow does not need it.
    assert.equal(decodeBmp(whole.subarray(0, whole.length - 3), 'x.bmp').width, 7);
  });

  it('headers and palettes cut short', () => {
    refuses(
      read('pil-pal8.bmp').subarray(0, 16),
      'x.bmp is a truncated or corrupt BMP image (it ends inside its file header)',
    );
    refuses(
      read('pil-pal8.bmp').subarray(0, 40),
      'x.bmp is a truncated or corrupt BMP image (it ends inside its information header)',
    );
    // Pillow reads what there is of a palette (its whole entries), then finds the pixel data missing.
    refuses(
      read('pil-pal8.bmp').subarray(0, 80),
      'x.bmp is a truncated or corrupt BMP image (its pixel data, 6 rows of 12 bytes from byte 134, needs 203 bytes; the file has 80)',
    );
    refuses(
      read('bgrx32-bitfields.bmp').subarray(0, 60),
      'x.bmp is a truncated or corrupt BMP image (it ends inside its colour masks)',
    );
  });

  it('RLE data that ends before the image is full: counted, refused before the image is allocated', () => {
    const palette = new Uint8Array(8); // two entries
    const early = infoBmp(4, 2, 8, 1, new Uint8Array([...palette, 4, 1, 0, 0, 0, 1]), 2);
    refuses(early, 'x.bmp is a truncated or corrupt BMP image (its RLE8 data ends after 4 of its 8 pixels)');
    // 66 bytes claiming 9000 × 9000 of RLE4: refused after reading 4 bytes of it, with nothing allocated.
    const bomb = infoBmp(9000, 9000, 4, 2, new Uint8Array([...palette, 255, 0x12, 0, 1]), 2);
    const started = performance.now();
    refuses(bomb, 'x.bmp is a truncated or corrupt BMP image (its RLE4 data ends after 255 of its 81000000 pixels)');
    assert.ok(performance.now() - started < 50);
  });

  it('RLE that runs past the image and indices past the palette decode as Pillow decodes them (see the fixtures)', () => {
    for (const file of ['rle8-delta-past-end.bmp', 'rle8-overlong-runs.bmp', 'pal4-short-palette.bmp'])
      assert.ok(
        manifest.images.some((fixture) => fixture.file === file),
        file,
      );
  });

  it('kinds Pillow refuses too', () => {
    const kind = (problem: string) => `x.bmp is a BMP image of a kind Pillow does not read either (${problem})`;
    refuses(infoBmp(2, 2, 24, 4, new Uint8Array(16)), kind('JPEG compression (4)'));
    refuses(infoBmp(2, 2, 24, 5, new Uint8Array(16)), kind('PNG compression (5)'));
    refuses(infoBmp(2, 2, 2, 0, new Uint8Array(16)), kind('2 bits per pixel'));
    refuses(infoBmp(2, 2, 24, 1, new Uint8Array(16)), kind('RLE8 compression at 24 bits per pixel'));
    const oddMasks = infoBmp(2, 2, 16, 3, new Uint8Array([0x00, 0xf0, 0, 0, 0xf0, 0x0f, 0, 0, 0x0f, 0, 0, 0, 0, 0]));
    refuses(oddMasks, kind('colour masks 0xf000/0xff0/0xf/0x0 at 16 bits per pixel'));
    const header20 = infoBmp(2, 2, 24, 0, new Uint8Array(16));
    header20[14] = 20;
    refuses(header20, kind('an information header of 20 bytes'));
    refuses(infoBmp(2, 2, 8, 0, new Uint8Array(300 * 4 + 8).fill(7), 300), kind('a palette of 300 colours'));
  });

  it('text that starts with "BM" is not taken for a BMP', () => {
    assert.throws(
      () => checkEncodedImage(new TextEncoder().encode('BMW 320i, 1998, 140000 km'), 'x.bmp', limits),
      /^ImageError: x\.bmp is not an image in an accepted format \(JPEG, PNG, WebP, GIF, TIFF, BMP\)$/,
    );
  });
});
