/**
 * examples/web as a user meets it, in Chromium: the default model on WebGPU, an image chosen through the file
 * input (what a drop does too), the top 5 equal to Node's, a dropped checkpoint converted and offered for
 * download, a dropped .onnx, an unreadable file reported on the page, and a browser without WebGPU told so and
 * served by wasm; and the states between: no broken image before one is chosen, what the busy line says
 * while loading and classifying, a failed model clearing the old results and download, an undecodable image
 * clearing the previous image's results. Screenshots go to test/web/artifacts/.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { convertCheckpoint } from '../../src/convert/index.js';
import { loadClassifier } from '../../src/index.js';
import { CHECKPOINTS, FIXTURES, ROOT } from '../support/fixtures.js';
import { browserUnavailable, launchBrowser, type Browser } from './support/browser.js';
import { buildSite, type Site } from './support/site.js';

const ARTIFACTS = join(ROOT, 'test', 'web', 'artifacts');
const CAT = join(FIXTURES, 'images', 'cat.jpg');

describe('examples/web in Chromium', { skip: browserUnavailable() ?? false, timeout: 300_000 }, () => {
  let site: Site;
  let browser: Browser;

  before(async () => {
    site = await buildSite();
    browser = await launchBrowser();
    await mkdir(ARTIFACTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await site?.close();
  });

  test('with WebGPU: default model, an image, a dropped checkpoint with its ONNX download, a dropped .onnx', async () => {
    const page = await browser.newPage();
    await page.addInitScript({ content: RECORD_BUSY_LINE });
    await page.goto(site.url);
    await settled(page);
    assert.match(
      await text(page, '#model-status'),
      /^Default model \(nin-cifar10\.onnx\): cifar10, 10 classes, running on webgpu\.$/,
    );
    assert.equal(await page.isHidden('#webgpu-notice'), true);
    // Nothing chosen yet: no image (not even a broken one), no results, no busy line.
    assert.deepEqual(await visible(page, ['#preview', '#busy', '#download', '#error']), [false, false, false, false]);
    await page.screenshot({ path: join(ARTIFACTS, 'example-page-start.png'), fullPage: true });

    await page.setInputFiles('#image-file', CAT);
    await settled(page);
    const busyLines = await page.evaluate(() => (globalThis as unknown as { busyLines: string[] }).busyLines);
    assert.deepEqual(
      busyLines.filter((line) => !line.startsWith('Downloading')),
      [
        'Looking for WebGPU…',
        'Starting ONNX Runtime on WebGPU (the first start loads its 27 MB WebAssembly and can take several seconds)…',
        'Classifying cat.jpg on webgpu… (the first WebGPU run compiles its shaders: up to 20 s)',
      ],
    );
    const size = ((await readFile(join(site.folder, 'nin-cifar10.onnx'))).byteLength / 1e6).toFixed(1);
    assert.equal(
      busyLines.filter((line) => line.startsWith('Downloading')).at(-1),
      `Downloading nin-cifar10.onnx: ${size} of ${size} MB…`,
    );
    assert.equal(await page.isHidden('#busy'), true);
    assert.match(await text(page, '#run-info'), /^Ran on webgpu in \d+ ms/);
    assert.deepEqual(
      await shownPredictions(page),
      await nodeTop5(await readFile(join(site.folder, 'nin-cifar10.onnx'))),
    );
    assert.equal(await page.locator('#preview').evaluate((image: HTMLImageElement) => image.naturalWidth), 32);

    await page.setInputFiles('#model-file', join(CHECKPOINTS, 'cifar-small.pth'));
    await settled(page);
    const converted = (await convertCheckpoint(await readFile(join(CHECKPOINTS, 'cifar-small.pth')))).onnx;
    assert.match(
      await text(page, '#model-status'),
      /^cifar-small\.pth \(converted: [\d,]+ parameters\): cifar10, 10 classes, running on webgpu\.$/,
    );
    assert.deepEqual(
      await shownPredictions(page),
      await nodeTop5(converted),
      'the chosen image is classified again with the new model',
    );
    assert.match(await text(page, '#download'), /^Download cifar-small\.onnx \(\d+ kB\)$/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    assert.equal(download.suggestedFilename(), 'cifar-small.onnx');
    assert.ok(
      (await readFile(await download.path())).equals(converted),
      "the downloaded ONNX equals Node's conversion",
    );
    await page.screenshot({ path: join(ARTIFACTS, 'example-page-webgpu.png'), fullPage: true });

    await page.setInputFiles('#model-file', join(site.folder, 'models', 'imagenet-small.onnx'));
    await settled(page);
    assert.match(
      await text(page, '#model-status'),
      /^imagenet-small\.onnx: imagenet, \d+ classes, running on webgpu\.$/,
    );
    assert.equal(await page.isHidden('#download'), true);
  });

  test("a file that is not a NIN checkpoint: said in the page's words, old results and download cleared, the page keeps working", async () => {
    const page = await browser.newPage();
    // On wasm: these states do not depend on the provider, and SwiftShader's WebGPU compiles for 20 s per model.
    await page.addInitScript({ content: 'delete Navigator.prototype.gpu;' });
    await page.goto(site.url);
    await settled(page);
    await page.setInputFiles('#model-file', join(CHECKPOINTS, 'cifar-small.pth'));
    await page.setInputFiles('#image-file', CAT);
    assert.equal(await settled(page), 'ready');
    assert.deepEqual(await visible(page, ['#download', '#preview']), [true, true]);
    assert.equal((await shownPredictions(page)).length, 5);

    const detail = await convertCheckpoint(await readFile(join(CHECKPOINTS, 'other-arch.pth'))).then(
      () => assert.fail('other-arch.pth converted'),
      (error: unknown) => (error as { detail: string }).detail,
    );
    await page.setInputFiles('#model-file', join(CHECKPOINTS, 'other-arch.pth'));
    assert.equal(await settled(page), 'error');
    assert.equal(
      await text(page, '#error'),
      `${detail}. This page recognises a NIN by its layer names; a checkpoint whose layers were renamed converts with the ` +
        'nin-convert command and its family option (cifar10 or imagenet), and the .onnx it writes can be dropped here.',
    );
    assert.doesNotMatch(await text(page, '#error'), /--family/);
    assert.match(
      await text(page, '#model-status'),
      /^Could not use other-arch\.pth; still using cifar-small\.pth \(converted: [\d,]+ parameters\), on wasm\.$/,
    );
    assert.deepEqual(await visible(page, ['#download', '#busy']), [false, false]);
    assert.deepEqual(await shownPredictions(page), []);
    assert.equal(await text(page, '#run-info'), '');
    await page.screenshot({ path: join(ARTIFACTS, 'example-page-bad-model.png'), fullPage: true });

    // Another image (choosing the same file again fires no change event): the previous model classifies it.
    await page.setInputFiles('#image-file', join(FIXTURES, 'images', 'cifar10', 'cat-0000.jpg'));
    assert.equal(await settled(page), 'ready');
    assert.equal(await page.isHidden('#error'), true);
    assert.equal((await shownPredictions(page)).length, 5);

    // An image the browser cannot decode: no stale top 5 beside it, no broken-image icon, the error says why.
    await page.setInputFiles('#image-file', join(FIXTURES, 'images', 'invalid', 'not-an-image.jpg'));
    assert.equal(await settled(page), 'error');
    assert.deepEqual(await shownPredictions(page), []);
    assert.equal(await text(page, '#run-info'), '');
    assert.deepEqual(await visible(page, ['#preview', '#error']), [false, true]);
    assert.match(await text(page, '#error'), /not-an-image\.jpg/);
    await page.screenshot({ path: join(ARTIFACTS, 'example-page-bad-image.png'), fullPage: true });
  });

  test("registry architectures: d2l's grey NiN classifies as in Node, and a conversion's assumptions are shown", async () => {
    const page = await browser.newPage();
    await page.addInitScript({ content: 'delete Navigator.prototype.gpu;' });
    await page.goto(site.url);
    await settled(page);
    const d2l = join(FIXTURES, 'arch', 'd2l-nin-small.params');
    await page.setInputFiles('#model-file', d2l);
    await page.setInputFiles('#image-file', CAT);
    assert.equal(await settled(page), 'ready');
    assert.match(
      await text(page, '#model-status'),
      /^d2l-nin-small\.params \(converted: 7,802 parameters\): d2l-nin, 10 classes, running on wasm\.$/,
    );
    assert.match(
      await text(page, '#model-architecture'),
      /^Architecture: d2l NiN \(Fashion-MNIST\) \[d2l-nin\], 1×224×224 input, 30 layers \(from d2l-ai\/d2l-en /,
    );
    // Even recognised by its keys alone, what the weights cannot show is shown (activation, pooling, preprocessing,
    // labels): nin-convert's lines, as the conversion returns them.
    const d2lConverted = await convertCheckpoint(await readFile(d2l));
    assert.equal(await page.isVisible('#model-assumptions'), true);
    assert.deepEqual(await page.locator('#model-assumption-list li').allTextContents(), d2lConverted.lines);
    assert.deepEqual(await shownPredictions(page), await nodeTop5(d2lConverted.onnx));

    // pytorchcv's nin_svhn has nin_cifar10's keys and shapes: its published file name settles it, with a warning.
    const svhn = await readFile(join(FIXTURES, 'arch', 'nin_svhn-small.pth'));
    const name = 'nin_svhn-0376-65c3adfb.pth';
    await page.setInputFiles('#model-file', { name, mimeType: 'application/octet-stream', buffer: svhn });
    assert.equal(await settled(page), 'ready');
    const { assumptions, lines } = await convertCheckpoint(svhn, { fileName: name });
    assert.match(assumptions[0]!, /because the file name contains nin_svhn-/);
    assert.equal(await page.isVisible('#model-assumptions'), true);
    assert.deepEqual(await page.locator('#model-assumption-list li').allTextContents(), lines);
    await page.screenshot({ path: join(ARTIFACTS, 'example-page-assumptions.png'), fullPage: true });
  });

  test('without WebGPU: a notice says so, and the model runs on wasm', async () => {
    const page = await browser.newPage();
    // A browser without WebGPU, as Firefox or an older Chrome is.
    await page.addInitScript({ content: 'delete Navigator.prototype.gpu;' });
    await page.goto(site.url);
    await settled(page);
    assert.equal(
      await text(page, '#webgpu-notice'),
      'WebGPU is not available: this browser has no WebGPU (navigator.gpu is missing). The model runs on WebAssembly (wasm), on the CPU.',
    );
    assert.match(await text(page, '#model-status'), /running on wasm\.$/);
    await page.setInputFiles('#image-file', CAT);
    await settled(page);
    assert.match(await text(page, '#run-info'), /^Ran on wasm in \d+ ms/);
    assert.deepEqual(
      await shownPredictions(page),
      await nodeTop5(await readFile(join(site.folder, 'nin-cifar10.onnx'))),
    );
    await page.screenshot({ path: join(ARTIFACTS, 'example-page-wasm.png'), fullPage: true });
  });

  test('a pixel bomb and an SVG named .png: refused from their headers, no preview decoded, the page says why', async () => {
    const page = await browser.newPage();
    await page.addInitScript({ content: 'delete Navigator.prototype.gpu;' }); // wasm: the quickest start
    await page.goto(site.url);
    await settled(page);
    // 74 bytes claiming 30000×30000: the <img> preview or createImageBitmap would allocate 3.6 GB.
    await page.setInputFiles('#image-file', join(FIXTURES, 'images', 'invalid', 'bomb-30000x30000.png'));
    assert.equal(await settled(page), 'error');
    assert.equal(
      await text(page, '#error'),
      'bomb-30000x30000.png (74 bytes, image/png) is 30000×30000 (900 megapixels), over the limit of 100 megapixels (maxPixels)',
    );
    assert.deepEqual(await visible(page, ['#preview', '#error']), [false, true]);
    assert.equal(await page.getAttribute('#preview', 'src'), null, 'no preview of the bomb was ever started');
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>',
    );
    await page.setInputFiles('#image-file', { name: 'evil.png', mimeType: 'image/png', buffer: svg });
    // The page was in 'error' already: wait for this file's message.
    await page.waitForFunction(() => document.getElementById('error')?.textContent?.includes('evil.png'));
    assert.equal(await settled(page), 'error');
    assert.equal(
      await text(page, '#error'),
      `evil.png (${svg.length} bytes, image/png) is SVG, not an accepted image format (JPEG, PNG, WebP, GIF, TIFF, BMP)`,
    );
    await page.screenshot({ path: join(ARTIFACTS, 'example-page-pixel-bomb.png'), fullPage: true });
  });

  test('no console errors or uncaught exceptions in the pages', () => {
    assert.deepEqual(browser.problems, []);
  });
});

/** Keeps every text the busy line shows, in order, in `globalThis.busyLines` (added before the page's script runs). */
const RECORD_BUSY_LINE = `
  globalThis.busyLines = [];
  new MutationObserver(() => {
    const line = document.getElementById('busy-text')?.textContent;
    if (line && line !== globalThis.busyLines.at(-1)) globalThis.busyLines.push(line);
  }).observe(document, { childList: true, characterData: true, subtree: true });`;

async function visible(page: Page, selectors: readonly string[]): Promise<boolean[]> {
  return Promise.all(selectors.map((selector) => page.isVisible(selector)));
}

/** Waits until the page has finished every action asked of it; its outcome, 'ready' or 'error'. */
async function settled(page: Page): Promise<string> {
  await page.waitForSelector('body[data-state=ready], body[data-state=error]', { state: 'attached', timeout: 90_000 });
  return (await page.getAttribute('body', 'data-state')) ?? '';
}

async function text(page: Page, selector: string): Promise<string> {
  return ((await page.textContent(selector)) ?? '').trim();
}

/** The bars as the page shows them: [label, '12.3 %'] per row. */
async function shownPredictions(page: Page): Promise<string[][]> {
  return page
    .locator('#predictions li')
    .evaluateAll((items) =>
      items
        .map((item) => Array.from(item.children).map((cell) => cell.textContent ?? ''))
        .map((cells) => [cells[0]!, cells[2]!]),
    );
}

/** The same, from Node's CPU classifier on cat.jpg, rounded as the page rounds. */
async function nodeTop5(model: Uint8Array): Promise<string[][]> {
  const classifier = await loadClassifier(model, { provider: 'cpu' });
  try {
    const { top } = await classifier.classify(CAT, { top: 5 });
    return top.map((p) => [p.label, `${(p.probability * 100).toFixed(1)} %`]);
  } finally {
    await classifier.dispose();
  }
}
