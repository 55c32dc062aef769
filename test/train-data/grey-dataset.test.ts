/**
 * Training data for a 1-channel model (d2l's Fashion-MNIST NiN): images decoded, made grey as PIL's
 * convert('L') makes them (before the resize), fitted and normalised equal the tensors PIL + torchvision produce
 * (fixtures/make_grey_preprocess_fixtures.py); the cache keeps grey and RGB apart, and RGB keys are those of before.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { architectureById } from '../../src/convert/index.js';
import { sha256Hex } from '../../src/io/sha256.js';
import type { PreprocessSpec } from '../../src/preprocess/index.js';
import { BatchIterator, type ImageDataset } from '../../src/train/data/index.js';
import { datasetCacheKey } from '../../src/train/data/node/dataset-cache.js';
import { loadImageDataset } from '../../src/train/data/node/index.js';
import { greyManifest, greySpec, readGreyTensor, type GreySpecName } from '../preprocess/grey-reference.js';
import { IMAGES, maxAbsDifference } from '../preprocess/reference.js';

/* As test/preprocess/grey-parity.test.ts: the measured difference is 0 on every image. */
const TOLERANCE = 1e-6;
const root = mkdtempSync(join(tmpdir(), 'nin-grey-data-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** One class folder per reference image of `name` (class `c00` … in manifest order), so batch order is known. */
function folderOf(name: GreySpecName): { folder: string; files: string[] } {
  const folder = join(root, name);
  const entries = greyManifest.images.filter((e) => e.references[name] !== undefined);
  entries.forEach((entry, i) => {
    const classDir = join(folder, `c${String(i).padStart(2, '0')}`);
    mkdirSync(classDir, { recursive: true });
    copyFileSync(join(IMAGES, entry.file), join(classDir, basename(entry.file)));
  });
  return { folder, files: entries.map((e) => e.file) };
}

function firstBatch(dataset: ImageDataset, spec: PreprocessSpec, augment = false) {
  return BatchIterator.create(dataset, {
    spec,
    batchSize: dataset.count,
    shuffle: false,
    augment: augment && { padding: 4, flip: true },
  }).next();
}

describe('grey training data against PIL convert(\u2018L\u2019) + torchvision', () => {
  const d2lSpec = architectureById('d2l-nin')!.preprocessing;

  it("d2l-nin's registry spec is the reference script's d2l spec", () => {
    assert.deepEqual({ ...d2lSpec }, greySpec('d2l'));
  });

  for (const name of ['d2l', 'grey32'] as const) {
    it(`${name}: the first batch's input equals PyTorch's tensors, image by image`, async () => {
      const { folder, files } = folderOf(name);
      const spec = greySpec(name);
      const { dataset } = await loadImageDataset(folder, { spec });
      assert.equal(dataset.channels, 1);
      assert.equal(dataset.pixels.length, files.length * spec.inputSize ** 2);
      const batch = firstBatch(dataset, spec);
      const area = spec.inputSize ** 2;
      assert.deepEqual(batch.inputDims, [files.length, 1, spec.inputSize, spec.inputSize]);
      for (const [i, file] of files.entries()) {
        const entry = greyManifest.images.find((e) => e.file === file)!;
        const expected = readGreyTensor(entry.references[name]!);
        const difference = maxAbsDifference(batch.input.subarray(i * area, (i + 1) * area), expected);
        assert.ok(difference <= TOLERANCE, `${file}: max |difference| ${difference} > ${TOLERANCE}`);
      }
    });
  }

  it('crops and flips one plane: each augmented image is a shifted, maybe mirrored copy of the plain one', async () => {
    const { folder } = folderOf('grey32');
    const spec = greySpec('grey32');
    const { dataset } = await loadImageDataset(folder, { spec });
    const plain = firstBatch(dataset, spec).input;
    const augmented = firstBatch(dataset, spec, true);
    assert.deepEqual(augmented.inputDims, [dataset.count, 1, 32, 32]);
    let padded = 0;
    for (let image = 0; image < dataset.count; image++) {
      const at = image * 1024;
      const matches = [...shifts()].some(([dx, dy, flip]) => {
        for (let y = 0; y < 32; y++)
          for (let x = 0; x < 32; x++) {
            const sx = (flip ? 31 - x : x) + dx;
            const sy = y + dy;
            const want = sx < 0 || sx > 31 || sy < 0 || sy > 31 ? 0 : plain[at + sy * 32 + sx]!;
            if (augmented.input[at + y * 32 + x] !== want) return false;
          }
        if (dx !== 0 || dy !== 0) padded += 1;
        return true;
      });
      assert.ok(matches, `image ${image} is no crop/flip of its plain tensor`);
    }
    assert.ok(padded > 0, 'some crops reach into the padding (zeros of the normalised tensor)');
  });

  it("refuses a spec whose channels are not the dataset's", async () => {
    const { folder } = folderOf('grey32');
    const { dataset } = await loadImageDataset(folder, { spec: greySpec('grey32') });
    const colour = { ...greySpec('grey32'), channels: 3 as const };
    assert.throws(
      () => BatchIterator.create(dataset, { spec: colour, batchSize: 1 }),
      /^RangeError: BatchIterator: the spec takes 3-channel images, the dataset holds 1-channel ones$/,
    );
  });

  it('caches grey and RGB pixels of one source apart; RGB keys are those made before grey training', async () => {
    const { folder, files } = folderOf('grey32');
    const cacheDir = join(root, 'cache');
    const grey = greySpec('grey32');
    const { channels: _dropped, ...colour } = grey;
    const firstGrey = await loadImageDataset(folder, { spec: grey, cacheDir });
    const firstColour = await loadImageDataset(folder, { spec: colour, cacheDir });
    assert.equal(firstColour.fromCache, false, 'an RGB load does not take the grey cache');
    assert.notEqual(firstColour.cacheFile, firstGrey.cacheFile);
    assert.equal(firstColour.dataset.channels, undefined);
    assert.equal(firstColour.dataset.pixels.length, files.length * 32 * 32 * 3);
    const again = await loadImageDataset(folder, { spec: grey, cacheDir });
    assert.equal(again.fromCache, true);
    assert.equal(again.dataset.channels, 1);
    assert.deepEqual([...again.dataset.pixels], [...firstGrey.dataset.pixels]);

    // The key of an RGB spec hashes what it hashed before grey training, so existing cache files are found.
    const tar = join(root, 'data.tar');
    writeFileSync(tar, 'bytes');
    const info = statSync(tar);
    const before = sha256Hex(
      JSON.stringify({
        source: resolve(tar),
        files: [`${info.size}:${info.mtimeMs}`],
        inputSize: 32,
        resizeShorterSide: 32,
        classNames: null,
        limit: null,
      }),
    );
    const inputs = { source: tar, classNames: undefined, limit: undefined };
    assert.equal(await datasetCacheKey({ ...inputs, spec: colour }), before);
    assert.notEqual(await datasetCacheKey({ ...inputs, spec: grey }), before);
  });
});

/** Every crop offset (−4 … 4 each way) with and without the flip. */
function* shifts(): Generator<[number, number, boolean]> {
  for (let dy = -4; dy <= 4; dy++)
    for (let dx = -4; dx <= 4; dx++) for (const flip of [false, true]) yield [dx, dy, flip];
}
