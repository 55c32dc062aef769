import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decodeImage, preprocessImage, preprocessPixels, type RawPixels } from '../../src/preprocess/node/index.js';
import { IMAGES, manifest, readReferenceTensor, SPECS } from './reference.js';

const entry = (file: string) => {
  const found = manifest.images.find((e) => e.file === file);
  if (found === undefined) throw new Error(`${file} is not in the manifest`);
  return found;
};

/** RGB → RGBA with a varying alpha that must not matter. */
function addAlpha(pixels: RawPixels): RawPixels {
  const count = pixels.width * pixels.height;
  const data = new Uint8Array(count * 4);
  for (let i = 0; i < count; i++) {
    data.set(pixels.data.subarray(i * 3, i * 3 + 3), i * 4);
    data[i * 4 + 3] = (i * 37) % 256;
  }
  return { ...pixels, data, channels: 4 };
}

describe('raw pixel input', () => {
  it('decoded pixels passed back in give the reference tensor, for both specs', async () => {
    const scene = entry('scene-640x480.jpg');
    const { pixels } = await decodeImage(join(IMAGES, scene.file));
    assert.deepEqual([pixels.width, pixels.height, pixels.channels], [640, 480, 3]);
    for (const name of ['cifar10', 'imagenet'] as const) {
      const { tensor, dims } = await preprocessImage(pixels, SPECS[name]);
      assert.deepEqual(dims, scene.references[name].dims);
      assert.deepEqual(tensor, readReferenceTensor(scene.references[name]));
    }
  });

  it('RGBA (a browser ImageData: Uint8ClampedArray, 4 channels) ignores alpha', async () => {
    const { pixels } = await decodeImage(join(IMAGES, 'cat.jpg'));
    const rgba = addAlpha(pixels);
    const imageData = { ...rgba, data: new Uint8ClampedArray(rgba.data) };
    const want = readReferenceTensor(entry('cat.jpg').references.imagenet);
    assert.deepEqual(preprocessPixels(rgba, SPECS.imagenet).tensor, want);
    assert.deepEqual(preprocessPixels(imageData, SPECS.imagenet).tensor, want);
  });

  it('grey pixels (1 channel) fill all three planes, as convert("RGB") does', async () => {
    const grey = entry('grey-400x300.jpg');
    const { pixels } = await decodeImage(join(IMAGES, grey.file));
    // sharp writes grey out as RGB with three equal channels; keep one of them.
    const data = pixels.data.filter((_, i) => i % 3 === 0);
    assert.ok(pixels.data.every((v, i) => v === data[Math.floor(i / 3)]));
    const single = { data, width: pixels.width, height: pixels.height, channels: 1 };
    for (const name of ['cifar10', 'imagenet'] as const) {
      assert.deepEqual((await preprocessImage(single, SPECS[name])).tensor, readReferenceTensor(grey.references[name]));
    }
  });

  it('the bytes of a file give what its path gives', async () => {
    const path = join(IMAGES, 'exif-rotated-320x240.jpg');
    const fromPath = await preprocessImage(path, SPECS.imagenet);
    const fromBuffer = await preprocessImage(readFileSync(path), SPECS.imagenet);
    const fromUint8Array = await preprocessImage(new Uint8Array(readFileSync(path)), SPECS.imagenet);
    assert.deepEqual(fromBuffer.tensor, fromPath.tensor);
    assert.deepEqual(fromUint8Array.tensor, fromPath.tensor);
  });

  it('EXIF orientation is applied: a 320×240 file with orientation 6 decodes upright, 240×320', async () => {
    const { pixels } = await decodeImage(join(IMAGES, 'exif-rotated-320x240.jpg'));
    assert.deepEqual([pixels.width, pixels.height], [240, 320]);
  });
});

describe('concurrent preprocessing', () => {
  it('the same image preprocessed 16 times at once gives 16 identical tensors, equal to a serial run', async () => {
    const path = join(IMAGES, 'large-1600x1200.jpg');
    const serial = await preprocessImage(path, SPECS.imagenet);
    const bytes = readFileSync(path);
    const concurrent = await Promise.all(
      Array.from({ length: 16 }, (_, i) => preprocessImage(i % 2 === 0 ? path : bytes, SPECS.imagenet)),
    );
    for (const result of concurrent) assert.deepEqual(result.tensor, serial.tensor);
  });

  it('different images at once each give their own reference', async () => {
    const entries = manifest.images.slice(0, 8);
    const results = await Promise.all(entries.map((e) => preprocessImage(join(IMAGES, e.file), SPECS.cifar10)));
    results.forEach((result, i) =>
      assert.deepEqual(result.tensor, readReferenceTensor(entries[i]!.references.cifar10), entries[i]!.file),
    );
  });
});
