import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { preprocessGeometry } from '../../src/preprocess/geometry.js';
import { preprocessImage } from '../../src/preprocess/node/index.js';
import { IMAGES, manifest, maxAbsDifference, readReferenceTensor, SPECS, type SpecName } from './reference.js';

/*
 * Tolerance: 1e-6 after normalisation, for every image, resized or not. The measured difference is 0 on all of
 * them: decoding (sharp's libjpeg-turbo / libspng vs PIL's) gives the same bytes on these files, the resize is a
 * byte-exact re-implementation of Pillow's (src/preprocess/resample.ts), and normalisation repeats PyTorch's
 * float32 operations one by one. The 1e-6 margin is only there so that a different float rounding order in a
 * future torch does not fail the build; anything a real preprocessing difference causes is ≥ 1/255/0.2616 ≈ 0.015
 * (one 0–255 level, CIFAR spec) or 1 (ImageNet spec).
 */
const TOLERANCE = 1e-6;

describe(`preprocessImage against PIL ${manifest.versions.PIL} + torchvision ${manifest.versions.torchvision}`, () => {
  for (const entry of manifest.images) {
    for (const specName of Object.keys(entry.references) as SpecName[]) {
      const reference = entry.references[specName];
      const resized = reference.resize.width !== entry.width || reference.resize.height !== entry.height;
      it(`${entry.file} (${entry.width}×${entry.height}, ${entry.stored.mode}), ${specName} spec${resized ? '' : ', no resize'}`, async () => {
        const spec = SPECS[specName];
        const geometry = preprocessGeometry(entry.width, entry.height, spec);
        assert.deepEqual(geometry.resize, reference.resize);
        assert.deepEqual([geometry.crop.left, geometry.crop.top], [reference.crop.left, reference.crop.top]);

        const { tensor, dims } = await preprocessImage(join(IMAGES, entry.file), spec);
        assert.deepEqual(dims, reference.dims);
        const difference = maxAbsDifference(tensor, readReferenceTensor(reference));
        assert.ok(difference <= TOLERANCE, `max |difference| ${difference} > ${TOLERANCE}`);
      });
    }
  }
});
