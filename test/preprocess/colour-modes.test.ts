import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cmykToRgbAsPil } from '../../src/preprocess/cmyk.js';
import { decodeImage } from '../../src/preprocess/node/decode-sharp.js';
import { FIXTURES } from '../support/fixtures.js';

/** fixtures/images/colour/manifest.json, written by fixtures/make_colour_fixtures.py with PIL. */
interface ColourFixture {
  readonly file: string;
  readonly mode: string;
  readonly width: number;
  readonly height: number;
  readonly rgb: string;
  readonly rule: string;
}

const FOLDER = join(FIXTURES, 'images', 'colour');
const fixtures = JSON.parse(readFileSync(join(FOLDER, 'manifest.json'), 'utf8')) as ColourFixture[];

describe("colour modes decode to the RGB bytes of PIL's convert('RGB')", () => {
  it('covers CMYK JPEG and TIFF, grey with alpha, 16-bit grey, palette with and without transparency', () => {
    assert.deepEqual(
      fixtures.map((f) => `${f.file} ${f.mode}`),
      [
        'cmyk.jpg CMYK',
        'cmyk.tif CMYK',
        'grey-alpha.png LA',
        'grey16.png I',
        'palette.png P',
        'palette-transparent.png P',
      ],
    );
  });

  for (const fixture of fixtures) {
    it(`${fixture.file} (PIL mode ${fixture.mode}): ${fixture.rule}, byte for byte`, async () => {
      const { pixels } = await decodeImage(join(FOLDER, fixture.file));
      assert.deepEqual([pixels.width, pixels.height, pixels.channels], [fixture.width, fixture.height, 3]);
      const expected = readFileSync(join(FOLDER, fixture.rgb));
      let differing = 0;
      for (let i = 0; i < expected.length; i++) if (pixels.data[i] !== expected[i]) differing += 1;
      assert.equal(differing, 0, `${differing} of ${expected.length} samples differ from the reference`);
    });
  }

  it("cmykToRgbAsPil rounds as PIL's MULDIV255, at the extremes too", () => {
    // (C, M, Y, K) → R = (255 − K) − round(C·(255 − K)/255), …
    const cmyk = Uint8Array.from([0, 0, 0, 0, 255, 255, 255, 0, 0, 0, 0, 255, 128, 64, 1, 100, 255, 0, 127, 1]);
    assert.deepEqual([...cmykToRgbAsPil(cmyk)], [255, 255, 255, 0, 0, 0, 0, 0, 0, 77, 116, 154, 0, 254, 127]);
    assert.throws(() => cmykToRgbAsPil(new Uint8Array(5)), /^RangeError: CMYK data of 5 bytes is not 4 bytes a pixel$/);
  });
});
