/**
 * Hostile images through every Node entry that decodes one: the library (preprocessImage, classify), `nin-sdk
 * predict` on files and folders, training datasets, and sharp itself once nin-sdk has loaded it. Each is refused
 * before any decoder sees its bytes, in one line naming the file, in bounded time. CLI tests run dist/: build first.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import sharp from 'sharp';
import { classify } from '../../src/node/classify.js';
import { CIFAR10_PREPROCESSING, ImageError, preprocessImage } from '../../src/preprocess/node/index.js';
import { MAX_FRAMES } from '../../src/preprocess/image-limits.js';
import { loadImageDataset } from '../../src/train/data/node/index.js';
import { FIXTURES } from '../support/fixtures.js';
import { filterChainSvg, manyFrameGif, manyScanJpeg } from '../support/hostile-images.js';
import { NIN_SDK, runCli, temporaryFolder } from './helpers.js';

const ACCEPTED = '(JPEG, PNG, WebP, GIF, TIFF, BMP)';
const SCANS =
  'is a JPEG of more than 500 scans (a progressive JPEG has about 10): refused, each scan is a pass over the image';
const FRAMES = `is a GIF of more than ${MAX_FRAMES} frames: refused, only the first is used`;

const folder = temporaryFolder('hostile-images');
const file = (name: string): string => join(folder, name);

before(async () => {
  copyFileSync(join(FIXTURES, 'images', 'cifar10', 'cat-0000.jpg'), file('cat.jpg'));
  writeFileSync(file('evil.png'), filterChainSvg()); // at full size (2000×2000, 100 filters) librsvg takes gigabytes
  writeFileSync(file('scans.jpg'), await manyScanJpeg(100_000)); // 1 MB; the wasm decoder: about 15 s
  writeFileSync(file('frames.gif'), manyFrameGif(MAX_FRAMES + 1));
  writeFileSync(
    file('wide.png'),
    await sharp({ create: { width: 3000, height: 400, channels: 3, background: { r: 1, g: 2, b: 3 } } })
      .png()
      .toBuffer(),
  );
});

async function refused(promise: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ImageError, String(error));
    assert.equal(error.message, message);
    return true;
  });
}

describe('the library refuses hostile images before decoding', () => {
  it('preprocessImage: an SVG named .png, a 100,000-scan JPEG, a GIF of too many frames', async () => {
    const started = performance.now();
    await refused(
      preprocessImage(file('evil.png'), CIFAR10_PREPROCESSING),
      `${file('evil.png')} is SVG, not an accepted image format ${ACCEPTED}`,
    );
    await refused(preprocessImage(file('scans.jpg'), CIFAR10_PREPROCESSING), `${file('scans.jpg')} ${SCANS}`);
    await refused(preprocessImage(file('frames.gif'), CIFAR10_PREPROCESSING), `${file('frames.gif')} ${FRAMES}`);
    assert.ok(performance.now() - started < 1000, 'refused from the headers');
  });

  it('classify: the same refusal, as an ImageError', async () => {
    await refused(classify(file('evil.png')), `${file('evil.png')} is SVG, not an accepted image format ${ACCEPTED}`);
  });

  it('sharp, once nin-sdk has loaded it, refuses SVG itself (its other loaders are blocked)', async () => {
    await preprocessImage(file('wide.png'), CIFAR10_PREPROCESSING); // a PNG: sharp decodes it, and is loaded
    await assert.rejects(sharp(filterChainSvg(10, 1)).metadata(), /unsupported image format/);
    assert.equal((await sharp(file('wide.png')).metadata()).format, 'png');
  });
});

describe('training datasets refuse them too', () => {
  it('a class folder holding an SVG named .png fails the load naming the file', async () => {
    const root = temporaryFolder('hostile-dataset');
    mkdirSync(join(root, 'cat'));
    copyFileSync(file('cat.jpg'), join(root, 'cat', 'a.jpg'));
    copyFileSync(file('evil.png'), join(root, 'cat', 'b.png'));
    const size = filterChainSvg().length;
    await assert.rejects(loadImageDataset(root, { spec: CIFAR10_PREPROCESSING, cacheDir: join(root, 'cache') }), {
      message: `cannot load ${join('cat', 'b.png')} from ${root}: image buffer (${size} bytes) is SVG, not an accepted image format ${ACCEPTED}`,
    });
  });
});

describe('nin-sdk predict and eval', () => {
  it('a folder of hostile images: one line each, the good image classified, exit 1, in seconds', () => {
    const started = performance.now();
    const result = runCli(NIN_SDK, ['predict', folder, '--max-pixels', '1000000'], { timeoutMs: 60_000 });
    const seconds = (performance.now() - started) / 1000;
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /cat\.jpg/);
    const lines = result.stderr.split('\n').filter((line) => line.startsWith('nin-sdk predict: '));
    assert.deepEqual(lines.sort(), [
      `nin-sdk predict: ${file('evil.png')} is SVG, not an accepted image format ${ACCEPTED}`,
      `nin-sdk predict: ${file('frames.gif')} ${FRAMES}`,
      `nin-sdk predict: ${file('scans.jpg')} ${SCANS}`,
      `nin-sdk predict: ${file('wide.png')} is 3000×400 (1.2 megapixels), over the limit of 1 megapixels (--max-pixels)`,
    ]);
    assert.ok(seconds < 20, `took ${seconds.toFixed(1)} s`);
  });

  it('eval stops at the first refused image, naming it in the dataset; --max-pixels is named when it refuses', () => {
    const root = temporaryFolder('hostile-eval');
    mkdirSync(join(root, 'cat'));
    copyFileSync(file('cat.jpg'), join(root, 'cat', 'a.jpg'));
    copyFileSync(file('evil.png'), join(root, 'cat', 'b.png'));
    const svg = runCli(NIN_SDK, ['eval', root]);
    assert.equal(svg.code, 1, svg.stderr);
    assert.equal(svg.stderr, `nin-sdk: ${join('cat', 'b.png')} is SVG, not an accepted image format ${ACCEPTED}\n`);
    const small = runCli(NIN_SDK, ['eval', root, '--max-pixels', '100']);
    assert.equal(
      small.stderr,
      `nin-sdk: ${join('cat', 'a.jpg')} is 32×32 (1024 pixels), over the limit of 100 pixels (--max-pixels)\n`,
    );
  });
});
