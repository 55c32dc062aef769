import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it, test } from 'node:test';
import { checkPreprocessSpec } from '../../src/preprocess/check-spec.js';
import { toGrey } from '../../src/preprocess/grey.js';
import { decodeImage, preprocessImage, preprocessPixels } from '../../src/preprocess/node/index.js';
import { pixelsToTensor } from '../../src/preprocess/normalize.js';
import { IMAGES, maxAbsDifference } from './reference.js';
import { greyManifest, greySpec, readGreyTensor, type GreySpecName } from './grey-reference.js';

/* The same tolerance as the colour path (parity.test.ts): the measured difference is 0 on every image. */
const TOLERANCE = 1e-6;

const LUMA = {
  rgb: Uint8Array.from(Buffer.from(greyManifest.luma.rgb, 'hex')),
  grey: [...Buffer.from(greyManifest.luma.grey, 'hex')],
};

test(`toGrey equals PIL ${greyManifest.versions.PIL}'s convert('L') on ${LUMA.grey.length} colours`, () => {
  const { rgb, grey } = LUMA;
  assert.equal(rgb.length, 3 * grey.length);
  const pixels = { data: rgb, width: grey.length, height: 1, channels: 3 };
  assert.deepEqual([...toGrey(pixels).data], grey);
  // RGBA: alpha ignored, as convert('L') ignores it.
  const rgba = new Uint8Array(grey.length * 4);
  for (let i = 0; i < grey.length; i++) rgba.set([rgb[3 * i]!, rgb[3 * i + 1]!, rgb[3 * i + 2]!, i % 256], 4 * i);
  assert.deepEqual([...toGrey({ data: rgba, width: grey.length, height: 1, channels: 4 }).data], grey);
});

describe(`grey preprocessing against PIL convert('L') + torchvision ${greyManifest.versions.torchvision}`, () => {
  for (const entry of greyManifest.images) {
    for (const name of Object.keys(entry.references) as GreySpecName[]) {
      it(`${entry.file}, ${name} spec`, async () => {
        const ref = entry.references[name]!;
        const { tensor, dims } = await preprocessImage(join(IMAGES, entry.file), greySpec(name));
        assert.deepEqual(dims, ref.dims);
        const difference = maxAbsDifference(tensor, readGreyTensor(ref));
        assert.ok(difference <= TOLERANCE, `max |difference| ${difference} > ${TOLERANCE}`);
      });
    }
  }

  it("the browsers' path (RGBA ImageData through the pure pipeline) gives the same tensors", async () => {
    for (const entry of greyManifest.images.filter((e) => e.references.d2l !== undefined)) {
      const { pixels } = await decodeImage(join(IMAGES, entry.file));
      const rgba = new Uint8ClampedArray(pixels.width * pixels.height * 4).fill(255);
      for (let i = 0; i < pixels.width * pixels.height; i++) rgba.set(pixels.data.subarray(3 * i, 3 * i + 3), 4 * i);
      const image = { data: rgba, width: pixels.width, height: pixels.height, channels: 4 };
      const { tensor } = preprocessPixels(image, greySpec('d2l'), entry.file);
      assert.equal(maxAbsDifference(tensor, readGreyTensor(entry.references.d2l!)), 0, entry.file);
    }
  });
});

describe('1-channel specs', () => {
  test('pixelsToTensor makes one plane, grey from colour pixels as PIL does', () => {
    const spec = { ...greySpec('grey32'), inputSize: 1, resizeShorterSide: 1 };
    // (200, 100, 50) → (200·19595 + 100·38470 + 50·7471 + 32768) >> 16 = 124; (124/255 − 0.5) / 0.5.
    const tensor = pixelsToTensor({ data: Uint8Array.of(200, 100, 50), width: 1, height: 1, channels: 3 }, spec);
    assert.deepEqual([...tensor], [Math.fround(Math.fround(Math.fround(124 / 255) - 0.5) / 0.5)]);
  });

  test('the spec check names a bad channels field and unequal means or stds of a grey spec', () => {
    const spec = greySpec('grey32');
    assert.throws(() => checkPreprocessSpec({ ...spec, channels: 2 }), {
      name: 'RangeError',
      message: 'preprocessing spec: channels must be 1 or 3 when given, got 2',
    });
    assert.throws(() => checkPreprocessSpec({ ...spec, channels: '1' }), {
      message: 'preprocessing spec: channels must be 1 or 3 when given, got "1"',
    });
    assert.throws(() => checkPreprocessSpec({ ...spec, mean: [0.5, 0.4, 0.5] }), {
      message: 'preprocessing spec: mean must be three equal numbers for channels 1, got [0.5, 0.4, 0.5]',
    });
    assert.throws(() => checkPreprocessSpec({ ...spec, std: [1, 1, 2] }), {
      message: 'preprocessing spec: std must be three equal numbers for channels 1, got [1, 1, 2]',
    });
    assert.doesNotThrow(() => checkPreprocessSpec({ ...spec, channels: 3, mean: [0.5, 0.4, 0.5] }));
  });
});
