import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { cropPixels } from '../../src/preprocess/crop.js';
import type { RawPixels } from '../../src/preprocess/pixels.js';
import { loadClassifier } from '../../src/node/classify.js';
import { scanWith } from '../../src/node/scan.js';
import { FIXTURES } from '../support/fixtures.js';

/** A 72 × 56 image (the cat scaled up, a second cat beside it): larger than the model's 32 × 32 window. */
async function largerImage(): Promise<RawPixels> {
  const { data, info } = await sharp(join(FIXTURES, 'images', 'cat.jpg'))
    .resize(72, 56, { fit: 'fill' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height, channels: info.channels };
}

describe('a scan of windows', () => {
  test('each cell equals classifying its 32×32 window alone, within 1e-4 (fp32 and int8)', async () => {
    const pixels = await largerImage();
    for (const dtype of ['fp32', 'int8'] as const) {
      const classifier = await loadClassifier(undefined, { dtype });
      try {
        const scan = await scanWith(classifier, pixels, { stride: 8 });
        assert.equal(scan.kind, 'scan of windows');
        assert.deepEqual([scan.window, scan.stride, scan.rows, scan.columns], [32, 8, 4, 6]);
        let worst = 0;
        for (let r = 0; r < scan.rows; r++) {
          for (let c = 0; c < scan.columns; c++) {
            const window = cropPixels(pixels, { left: c * 8, top: r * 8, width: 32, height: 32 });
            const alone = await classifier.classify(window, { maps: true, top: 1 });
            const cell = (r * scan.columns + c) * 10;
            for (let k = 0; k < 10; k++)
              worst = Math.max(worst, Math.abs(scan.logits[cell + k]! - alone.maps!.logits[k]!));
            assert.equal(scan.labels[scan.best[r * scan.columns + c]!], alone.top[0]!.label);
            assert.ok(Math.abs(scan.probability[r * scan.columns + c]! - alone.top[0]!.probability) <= 1e-5);
          }
        }
        assert.ok(worst <= 1e-4, `${dtype}: a scan cell differs from its window alone by ${worst}`);
      } finally {
        await classifier.dispose();
      }
    }
  });

  test('an image smaller than the window, a bad stride and too many windows are refused in one line', async () => {
    const classifier = await loadClassifier(undefined, { dtype: 'fp32' });
    try {
      const small: RawPixels = { data: new Uint8Array(20 * 20 * 3), width: 20, height: 20, channels: 3 };
      await assert.rejects(scanWith(classifier, small), {
        name: 'RangeError',
        message: "a scan needs an image of at least the model's 32×32 window, got 20×20",
      });
      const pixels = await largerImage();
      await assert.rejects(scanWith(classifier, pixels, { stride: 0 }), {
        message: 'stride must be a positive integer, got 0',
      });
      const huge: RawPixels = { data: new Uint8Array(600 * 600), width: 600, height: 600, channels: 1 };
      await assert.rejects(scanWith(classifier, huge, { stride: 1 }), {
        message:
          'a scan of 600×600 at stride 1 is 323761 windows, more than 20000: use a larger stride or a smaller image',
      });
    } finally {
      await classifier.dispose();
    }
  });
});
