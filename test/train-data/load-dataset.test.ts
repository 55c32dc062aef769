import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { FASHION_MNIST_LABELS } from '../../src/architectures/labels/small-sets.js';
import { labelFolderName } from '../../src/train/data/label-folders.js';
import { preprocessImage } from '../../src/preprocess/node/index.js';
import { BatchIterator, type ImageDataset } from '../../src/train/data/index.js';
import { loadImageDataset } from '../../src/train/data/node/index.js';
import { syntheticSpec } from './synthetic.js';

/**
 * A folder dataset made here with sharp: lossless PNGs, one of them grey, one with alpha, one larger and not
 * square (resized and cropped like inference), in two classes whose folder order is not their sorted order.
 */
const spec = syntheticSpec(4);
const root = mkdtempSync(join(tmpdir(), 'nin-train-data-'));
const images = join(root, 'images');
const cacheDir = join(root, 'cache');
const rgb4 = Uint8Array.from({ length: 4 * 4 * 3 }, (_, i) => (i * 11) % 256);

async function png(path: string, data: Uint8Array, width: number, height: number, channels: 1 | 3 | 4): Promise<void> {
  writeFileSync(path, await sharp(data, { raw: { width, height, channels } }).png().toBuffer());
}

/** Everything of the dataset in plain arrays, for deepEqual across buffers of different kinds. */
const plain = (d: ImageDataset) => ({ ...d, pixels: [...d.pixels], labels: [...d.labels] });

/** All images normalised in dataset order, one batch. */
function normalised(dataset: ImageDataset): Float32Array {
  return BatchIterator.create(dataset, { spec, batchSize: dataset.count, shuffle: false }).next().input;
}

const FILES = ['b_dog/0-rgb.png', 'b_dog/1-grey.png', 'a_cat/0-alpha.png', 'a_cat/1-large.png'];

before(async () => {
  mkdirSync(join(images, 'b_dog'), { recursive: true });
  mkdirSync(join(images, 'a_cat'), { recursive: true });
  await png(join(images, FILES[0]!), rgb4, 4, 4, 3);
  await png(
    join(images, FILES[1]!),
    Uint8Array.from({ length: 16 }, (_, i) => i * 15),
    4,
    4,
    1,
  );
  await png(
    join(images, FILES[2]!),
    Uint8Array.from({ length: 64 }, (_, i) => (i * 29) % 256),
    4,
    4,
    4,
  );
  await png(
    join(images, FILES[3]!),
    Uint8Array.from({ length: 8 * 6 * 3 }, (_, i) => (i * 13) % 256),
    8,
    6,
    3,
  );
});
after(() => rmSync(root, { recursive: true, force: true }));

describe('loadImageDataset: a folder of <class>/<image>', () => {
  it('labels classes in sorted order and keeps RGB pixels of the input size', async () => {
    const { dataset, fromCache, cacheFile } = await loadImageDataset(images, { spec });
    assert.equal(fromCache, false);
    assert.equal(cacheFile, undefined);
    assert.deepEqual(dataset.classNames, ['a_cat', 'b_dog']);
    // Folder order: a_cat's files, then b_dog's.
    assert.deepEqual([...dataset.labels], [0, 0, 1, 1]);
    assert.equal(dataset.imageSize, 4);
    assert.deepEqual(dataset.pixels.subarray(2 * 48, 3 * 48), rgb4);
    const grey = dataset.pixels.subarray(3 * 48, 4 * 48);
    for (let p = 0; p < 16; p++) assert.deepEqual([...grey.subarray(p * 3, p * 3 + 3)], [p * 15, p * 15, p * 15]);
  });

  it('gives batches equal to preprocessImage of each file (decode, resize, crop, normalise: src/preprocess)', async () => {
    const { dataset } = await loadImageDataset(images, { spec });
    const batch = normalised(dataset);
    const inOrder = ['a_cat/0-alpha.png', 'a_cat/1-large.png', 'b_dog/0-rgb.png', 'b_dog/1-grey.png'];
    for (const [i, file] of inOrder.entries()) {
      const expected = await preprocessImage(join(images, file), spec);
      assert.deepEqual(batch.subarray(i * 48, (i + 1) * 48), expected.tensor, file);
    }
  });

  it('numbers classes by the names given, and refuses an image of another class', async () => {
    const { dataset } = await loadImageDataset(images, { spec, classNames: ['b_dog', 'a_cat', 'bird'] });
    assert.deepEqual([...dataset.labels], [1, 1, 0, 0]);
    assert.deepEqual(dataset.classNames, ['b_dog', 'a_cat', 'bird']);
    await assert.rejects(
      loadImageDataset(images, { spec, classNames: ['b_dog'] }),
      /class 'a_cat' is not one of the 1 class names given/,
    );
  });

  it('loads a sample with limit, drawn from every class', async () => {
    const { dataset } = await loadImageDataset(images, { spec, limit: 2 });
    assert.equal(dataset.count, 2);
    assert.deepEqual(dataset.classNames, ['a_cat', 'b_dog']);
    assert.deepEqual([...dataset.labels], [0, 1]);
  });

  it('writes a cache atomically and reads it the second time; a changed file or a damaged cache means decoding again', async () => {
    const first = await loadImageDataset(images, { spec, cacheDir });
    assert.equal(first.fromCache, false);
    assert.ok(first.cacheFile && existsSync(first.cacheFile));
    assert.deepEqual(
      readdirSync(cacheDir),
      [first.cacheFile.slice(cacheDir.length + 1)],
      'no temporary file left behind',
    );

    const second = await loadImageDataset(images, { spec, cacheDir });
    assert.equal(second.fromCache, true);
    assert.equal(second.cacheFile, first.cacheFile);
    assert.deepEqual(plain(second.dataset), plain(first.dataset));

    const other = await loadImageDataset(images, { spec, cacheDir, limit: 2 });
    assert.equal(other.fromCache, false, 'another limit is another cache');
    const otherSeed = await loadImageDataset(images, { spec, cacheDir, limit: 2, seed: 1 });
    assert.equal(otherSeed.fromCache, false, "another seed of a limit's sample is another cache");
    assert.notEqual(otherSeed.cacheFile, other.cacheFile);
    assert.equal((await loadImageDataset(images, { spec, cacheDir, limit: 2, seed: 1 })).fromCache, true);

    utimesSync(join(images, FILES[0]!), new Date(), new Date(Date.now() + 5000));
    const afterEdit = await loadImageDataset(images, { spec, cacheDir });
    assert.equal(afterEdit.fromCache, false);
    assert.notEqual(afterEdit.cacheFile, first.cacheFile);

    writeFileSync(afterEdit.cacheFile!, 'damaged');
    const rebuilt = await loadImageDataset(images, { spec, cacheDir });
    assert.equal(rebuilt.fromCache, false);
    assert.deepEqual(plain(rebuilt.dataset), plain(first.dataset));
    assert.equal((await loadImageDataset(images, { spec, cacheDir })).fromCache, true);
  });

  it("reads a label with '/' from its folder, '_' in its place (d2l's T-shirt/top in T-shirt_top/)", async () => {
    const fashion = join(root, 'fashion');
    for (const [folder, file] of [
      ['T-shirt_top', FILES[0]!],
      ['Trouser', FILES[1]!],
    ] as const) {
      mkdirSync(join(fashion, folder), { recursive: true });
      copyFileSync(join(images, file), join(fashion, folder, 'x.png'));
    }
    assert.equal(labelFolderName('T-shirt/top'), 'T-shirt_top');
    assert.deepEqual(FASHION_MNIST_LABELS.slice(1).map(labelFolderName), FASHION_MNIST_LABELS.slice(1));
    const { dataset } = await loadImageDataset(fashion, { spec, classNames: FASHION_MNIST_LABELS });
    assert.deepEqual(dataset.classNames, FASHION_MNIST_LABELS);
    assert.deepEqual([...dataset.labels], [0, 1]);
    // The same pixels as the files' own folders give them.
    const { dataset: plainFolders } = await loadImageDataset(images, { spec });
    assert.deepEqual(dataset.pixels.subarray(0, 48), plainFolders.pixels.subarray(2 * 48, 3 * 48));

    await assert.rejects(loadImageDataset(fashion, { spec, classNames: ['T-shirt', 'Trouser'] }), {
      name: 'RangeError',
      message:
        "T-shirt_top/x.png: class 'T-shirt_top' is not one of the 2 class names given (folders T-shirt, Trouser)",
    });
    await assert.rejects(loadImageDataset(fashion, { spec, classNames: ['T-shirt/top', 'T-shirt_top'] }), {
      name: 'RangeError',
      message: "the labels 'T-shirt/top' and 'T-shirt_top' would both be read from the folder 'T-shirt_top'",
    });
  });

  it('names the file that cannot be decoded', async () => {
    const broken = join(root, 'broken');
    mkdirSync(join(broken, 'cat'), { recursive: true });
    writeFileSync(join(broken, 'cat', 'x.png'), 'not a png');
    await assert.rejects(loadImageDataset(broken, { spec }), /cannot load cat\/x\.png/);
  });
});
