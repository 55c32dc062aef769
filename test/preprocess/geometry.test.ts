import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  centreCropBox,
  preprocessGeometry,
  resizeShorterSideTo,
  roundHalfToEven,
} from '../../src/preprocess/geometry.js';
import { manifest, SPECS } from './reference.js';

describe('preprocess geometry against torchvision 0.14', () => {
  it(`matches Resize(int) + CenterCrop on all ${manifest.geometry.length} sizes of the table`, () => {
    for (const c of manifest.geometry) {
      const geometry = preprocessGeometry(c.width, c.height, SPECS[c.spec]);
      const what = `${c.width}×${c.height} ${c.spec}`;
      assert.deepEqual(geometry.resize, c.resize, what);
      assert.deepEqual(
        geometry.crop,
        { left: c.crop.left, top: c.crop.top, width: c.crop.size, height: c.crop.size },
        what,
      );
      assert.equal(geometry.needsResize, c.resize.width !== c.width || c.resize.height !== c.height, what);
    }
  });

  it('truncates the longer side, as int() does', () => {
    // 256 * 500 / 300 = 426.67 → 426; 256 * 640 / 480 = 341.33 → 341.
    assert.deepEqual(resizeShorterSideTo(300, 500, 256), { width: 256, height: 426 });
    assert.deepEqual(resizeShorterSideTo(640, 480, 256), { width: 341, height: 256 });
    assert.deepEqual(resizeShorterSideTo(1, 7, 32), { width: 32, height: 224 });
  });

  it('rounds the crop offset half to even, as Python 3 round() does', () => {
    assert.deepEqual([16.5, 17.5, 58.5, 0.5, 1.5, 2, 2.4999, 2.5001].map(roundHalfToEven), [16, 18, 58, 0, 2, 2, 2, 3]);
    // 341 − 224 = 117 → 58.5 → 58 (Math.round would say 59); 257 − 224 = 33 → 16.5 → 16.
    assert.deepEqual(centreCropBox(341, 256, 224), { left: 58, top: 16, width: 224, height: 224 });
    assert.deepEqual(centreCropBox(256, 257, 224), { left: 16, top: 16, width: 224, height: 224 });
    assert.deepEqual(centreCropBox(32, 45, 32), { left: 0, top: 6, width: 32, height: 32 });
  });

  it('does not resample when the shorter side already has the size', () => {
    assert.equal(preprocessGeometry(32, 32, SPECS.cifar10).needsResize, false);
    assert.equal(preprocessGeometry(256, 320, SPECS.imagenet).needsResize, false);
    assert.equal(preprocessGeometry(32, 40, SPECS.cifar10).needsResize, false);
    assert.equal(preprocessGeometry(33, 33, SPECS.cifar10).needsResize, true);
  });

  it('refuses a crop larger than the image', () => {
    assert.throws(() => centreCropBox(200, 300, 224), {
      name: 'RangeError',
      message: 'centre crop: 224×224 does not fit in 200×300',
    });
  });
});
