import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { decodeSmallJpeg } from '../../src/preprocess/node/decode-jpeg-wasm.js';
import { readLabeledImages } from '../../src/datasets/node/dataset.js';
import { decodeImage, DEFAULT_MAX_PIXELS } from '../../src/preprocess/node/decode-sharp.js';
import { readJpegHeader } from '../../src/preprocess/jpeg-header.js';
import { CIFAR10_TEST_TAR, cifarTestTarMissing } from '../support/prerequisites.js';

const IMAGES = 'fixtures/images';
const CIFAR = join(IMAGES, 'cifar10');
const read = (path: string): Uint8Array => new Uint8Array(readFileSync(path));

/** sharp's RGB bytes, which test/preprocess/parity.test.ts proves equal to PIL's. */
async function sharpRgb(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await sharp(bytes, { ignoreIcc: true }).autoOrient().removeAlpha().raw().toBuffer());
}

describe('readJpegHeader', () => {
  it('reads size, precision, components and coding of the fixtures', () => {
    assert.deepEqual(readJpegHeader(read(join(CIFAR, 'cat-0000.jpg'))), {
      frameMarker: 0xc0,
      precision: 8,
      width: 32,
      height: 32,
      components: 3,
      orientation: undefined,
    });
    assert.equal(readJpegHeader(read(join(IMAGES, 'grey-400x300.jpg')))?.components, 1);
  });

  it('reads the EXIF orientation', () => {
    const header = readJpegHeader(read(join(IMAGES, 'exif-rotated-320x240.jpg')));
    assert.equal(header?.width, 320);
    assert.equal(header?.height, 240);
    assert.ok(header?.orientation !== undefined && header.orientation !== 1, `orientation ${header?.orientation}`);
  });

  it('gives undefined for what is not a JPEG or breaks off before the scan', () => {
    assert.equal(readJpegHeader(read(join(IMAGES, 'odd-33x47.png'))), undefined);
    assert.equal(readJpegHeader(new TextEncoder().encode('hello, not a jpeg')), undefined);
    assert.equal(readJpegHeader(read(join(CIFAR, 'cat-0000.jpg')).subarray(0, 100)), undefined);
    assert.equal(readJpegHeader(new Uint8Array([0xff, 0xd8, 0xff, 0xc0, 0xff, 0xff])), undefined);
  });
});

describe('decodeSmallJpeg (libjpeg-turbo in WebAssembly)', () => {
  it('decodes every CIFAR-10 fixture and the small JPEG fixtures to exactly sharp’s bytes', async () => {
    const files = [
      ...readdirSync(CIFAR).map((f) => join(CIFAR, f)),
      join(IMAGES, 'cat.jpg'),
      join(IMAGES, 'grey-400x300.jpg'),
      join(IMAGES, 'no-resize-256x320.jpg'),
      join(IMAGES, 'panorama-1000x200.jpg'),
    ];
    for (const file of files) {
      const bytes = read(file);
      const pixels = await decodeSmallJpeg(bytes, DEFAULT_MAX_PIXELS);
      assert.ok(pixels !== undefined, `${file} should take the WebAssembly path`);
      assert.equal(pixels.channels, 3);
      assert.deepEqual(Buffer.from(pixels.data), Buffer.from(await sharpRgb(bytes)), file);
    }
  });

  it(
    'decodes the first 1,000 CIFAR-10 test images to exactly sharp’s bytes',
    { skip: cifarTestTarMissing() },
    async () => {
      let count = 0;
      for await (const { name, bytes } of readLabeledImages(CIFAR10_TEST_TAR)) {
        if (count === 1000) break;
        const pixels = await decodeSmallJpeg(bytes, DEFAULT_MAX_PIXELS);
        assert.ok(pixels !== undefined, name);
        assert.deepEqual(Buffer.from(pixels.data), Buffer.from(await sharpRgb(bytes)), name);
        count++;
      }
      assert.equal(count, 1000);
    },
  );

  it('leaves rotated, large, truncated, damaged and non-JPEG files to sharp, which keeps its own errors', async () => {
    const cat = read(join(CIFAR, 'cat-0000.jpg'));
    const badHuffmanTable = new Uint8Array(cat);
    badHuffmanTable.fill(0x13, 400, 450); // inside a DHT segment: a fatal libjpeg error
    // The scan cut short but the file closed with EOI, so only libjpeg's "premature end" warning can tell.
    const cutScan = new Uint8Array([...cat.subarray(0, 700), 0xff, 0xd9]);
    const cases: Record<string, Uint8Array> = {
      'EXIF-rotated': read(join(IMAGES, 'exif-rotated-320x240.jpg')),
      'over the size limit': read(join(IMAGES, 'large-1600x1200.jpg')),
      truncated: read(join(IMAGES, 'invalid/truncated.jpg')),
      'not an image': read(join(IMAGES, 'invalid/not-an-image.jpg')),
      PNG: read(join(IMAGES, 'odd-33x47.png')),
      'bad Huffman table': badHuffmanTable,
      'scan cut short': cutScan,
    };
    for (const [what, bytes] of Object.entries(cases))
      assert.equal(await decodeSmallJpeg(bytes, DEFAULT_MAX_PIXELS), undefined, what);
    await assert.rejects(decodeImage(badHuffmanTable), {
      name: 'ImageError',
      message: 'image buffer (973 bytes) is a truncated or corrupt JPEG image (its header is cut short or malformed)',
    });
    await assert.rejects(decodeImage(cutScan), {
      name: 'ImageError',
      message: /^image buffer \(702 bytes\) is a truncated or corrupt JPEG image/,
    });
    // and still decodes afterwards: libjpeg's errors do not break the module
    assert.ok((await decodeSmallJpeg(cat, DEFAULT_MAX_PIXELS)) !== undefined);
  });

  it('respects a smaller maxPixels, so that sharp names the limit', async () => {
    const cat = read(join(CIFAR, 'cat-0000.jpg'));
    assert.equal(await decodeSmallJpeg(cat, 32 * 32 - 1), undefined);
    assert.ok((await decodeSmallJpeg(cat, 32 * 32)) !== undefined);
  });
});
