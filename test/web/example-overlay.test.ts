/**
 * examples/web's class map overlay, in Chromium (on wasm: the drawing does not depend on the provider): a "map"
 * toggle beside each of the top 5 classes draws that class's confidence map over the image the model saw, says what
 * a cell covers, switches between classes and hides again; its colours span the map's values as Node computes them.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { mapRange } from '../../src/classifier/overlay.js';
import { loadClassifier } from '../../src/index.js';
import { FIXTURES, ROOT } from '../support/fixtures.js';
import { browserUnavailable, launchBrowser, type Browser } from './support/browser.js';
import { buildSite, type Site } from './support/site.js';

const ARTIFACTS = join(ROOT, 'test', 'web', 'artifacts');
const CAT = join(FIXTURES, 'images', 'cat.jpg');

describe(
  'examples/web: the class map overlay in Chromium',
  { skip: browserUnavailable() ?? false, timeout: 300_000 },
  () => {
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

    test('a toggle per class draws its map over the image, switches between classes, and hides again', async () => {
      const page = await browser.newPage();
      await page.addInitScript({ content: 'delete Navigator.prototype.gpu;' });
      await page.goto(site.url);
      await settled(page);
      await page.setInputFiles('#image-file', CAT);
      assert.equal(await settled(page), 'ready');
      assert.equal(await page.isHidden('#overlay'), true);
      const toggles = page.locator('#predictions .map-toggle');
      assert.equal(await toggles.count(), 5);
      const labels = await page.locator('#predictions li > span:first-child').allTextContents();

      // Node's maps for the same model and image: the page's caption states the range its colours span.
      const node = await loadClassifier(await readFile(join(site.folder, 'nin-cifar10.onnx')), { provider: 'cpu' });
      const maps = (await node.classify(CAT, { maps: true })).maps!;
      await node.dispose();

      await toggles.nth(0).click();
      assert.equal(await settled(page), 'ready');
      assert.deepEqual(await pressed(page), [true, false, false, false, false]);
      assert.equal(await page.isVisible('#overlay'), true);
      assert.deepEqual(
        await page
          .locator('#overlay')
          .evaluate((canvas: HTMLCanvasElement) => [canvas.width, canvas.height, canvas.dataset['label']]),
        [256, 256, labels[0]],
      );
      const caption = await text(page, '#overlay-caption');
      const match =
        /^Map of (\w+) \([\d.]+ %\), from ([\d.e+-]+) \(dark\) to ([\d.e+-]+) \(yellow\): each of its 8×8 cells sees 27×27 of the 32×32 pixels the model saw, 4 apart\.$/.exec(
          caption,
        );
      assert.ok(match, caption);
      const range = mapRange(maps, maps.labels.indexOf(labels[0]!));
      assert.equal(match[1], labels[0]);
      assert.ok(Math.abs(Number(match[3]) - range.high) <= 1e-2 * Math.max(1, Math.abs(range.high)), caption);
      // The map is drawn: the canvas is not the plain image (its pixels carry the map's colours).
      const distinctColours = await page.locator('#overlay').evaluate((canvas: HTMLCanvasElement) => {
        const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        const colours = new Set<number>();
        for (let i = 0; i < data.length; i += 4 * 97)
          colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
        return colours.size;
      });
      assert.ok(distinctColours > 50, `only ${distinctColours} colours on the overlay`);
      await page.screenshot({ path: join(ARTIFACTS, 'example-page-overlay.png'), fullPage: true });

      await toggles.nth(1).click();
      assert.equal(await settled(page), 'ready');
      assert.deepEqual(await pressed(page), [false, true, false, false, false]);
      assert.equal(await page.locator('#overlay').getAttribute('data-label'), labels[1]);
      assert.match(await text(page, '#overlay-caption'), new RegExp(`^Map of ${labels[1]} `));

      await toggles.nth(1).click();
      assert.equal(await settled(page), 'ready');
      assert.deepEqual(await pressed(page), [false, false, false, false, false]);
      assert.deepEqual([await page.isHidden('#overlay'), await page.isHidden('#overlay-caption')], [true, true]);

      // A new image clears the overlay with the old results.
      await toggles.nth(0).click();
      assert.equal(await settled(page), 'ready');
      await page.setInputFiles('#image-file', join(FIXTURES, 'images', 'cifar10', 'ship-0005.jpg'));
      assert.equal(await settled(page), 'ready');
      assert.equal(await page.isHidden('#overlay'), true);
      assert.deepEqual(await pressed(page), [false, false, false, false, false]);
    });
  },
);

async function settled(page: Page): Promise<string> {
  await page.waitForSelector('body[data-state=ready], body[data-state=error]', { state: 'attached', timeout: 90_000 });
  return (await page.getAttribute('body', 'data-state')) ?? '';
}

async function text(page: Page, selector: string): Promise<string> {
  return ((await page.textContent(selector)) ?? '').trim();
}

async function pressed(page: Page): Promise<boolean[]> {
  return page
    .locator('#predictions .map-toggle')
    .evaluateAll((buttons) => buttons.map((b) => b.getAttribute('aria-pressed') === 'true'));
}
