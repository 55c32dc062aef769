/**
 * serve's pixel limits on the image route: per image (--max-pixels) and per request, all images together
 * (--max-request-pixels), checked on the headers before anything is decoded, refused with 413 and a message that
 * names the image, its size and the option.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import type { InferenceServer } from '../../src/serve/server.js';
import { FIXTURES } from '../support/fixtures.js';
import { json, multipart, send, startDefaultServer } from './helpers.js';

const CAT = readFileSync(join(FIXTURES, 'images', 'cifar10', 'cat-0000.jpg')); // 32×32

function png(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 10, b: 10 } } })
    .png()
    .toBuffer();
}

let server: InferenceServer;
let classify: string;

before(async () => {
  // One 32×32 image each, three in all.
  server = await startDefaultServer({ maxPixels: 32 * 32, maxRequestPixels: 3 * 32 * 32 });
  classify = `${server.url}/v2/models/nin-cifar10/classify`;
});
after(() => server.shutdown());

async function assertRefused(reply: ReturnType<typeof send>, message: string): Promise<void> {
  const r = await reply;
  assert.equal(r.status, 413, r.body.toString());
  assert.match(String(r.headers['content-type']), /^application\/json/);
  assert.deepEqual(json(r), { error: message });
}

describe('serve --max-pixels and --max-request-pixels', () => {
  test('an image at the limit is classified', async () => {
    const reply = await send(classify, 'POST', CAT);
    assert.equal(reply.status, 200, reply.body.toString());
    assert.equal((json(reply) as { results: { predictions: unknown[] }[] }).results[0]!.predictions.length, 3);
  });

  test('a PNG one column over the per-image limit: 413 naming it, its size and the option', async () => {
    await assertRefused(
      send(classify, 'POST', await png(33, 32)),
      "image 'body' is 33×32 (1056 pixels), over this server's limit of 1024 pixels per image (--max-pixels)",
    );
    const boundary = 'pixels-1';
    await assertRefused(
      send(
        classify,
        'POST',
        multipart(boundary, [
          { name: 'cat.jpg', bytes: CAT },
          { name: 'wide.png', bytes: await png(64, 20) },
        ]),
        { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
      ),
      "image 'wide.png' is 64×20 (1280 pixels), over this server's limit of 1024 pixels per image (--max-pixels)",
    );
  });

  test('images each within the limit but over the request total: 413; at the total: 200', async () => {
    const boundary = 'pixels-2';
    const files = (n: number): { name: string; bytes: Buffer }[] =>
      Array.from({ length: n }, (_, i) => ({ name: `cat-${i}.jpg`, bytes: CAT }));
    const headers = { 'Content-Type': `multipart/form-data; boundary=${boundary}` };
    await assertRefused(
      send(classify, 'POST', multipart(boundary, files(4)), headers),
      "the request's 4 images have 4096 pixels in all, over this server's limit of 3072 pixels per request (--max-request-pixels)",
    );
    const reply = await send(classify, 'POST', multipart(boundary, files(3)), headers);
    assert.equal(reply.status, 200, reply.body.toString());
    assert.equal((json(reply) as { results: unknown[] }).results.length, 3);
  });

  test('an image whose header cannot be read counts nothing and gets its own decode error', async () => {
    const boundary = 'pixels-3';
    const reply = await send(
      classify,
      'POST',
      multipart(boundary, [
        { name: 'cat.jpg', bytes: CAT },
        { name: 'junk.bin', bytes: Buffer.from('no image here') },
      ]),
      { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
    );
    assert.equal(reply.status, 200, reply.body.toString());
    const results = (json(reply) as { results: { file: string; error?: string }[] }).results;
    assert.deepEqual(
      results.map((r) => r.file),
      ['cat.jpg', 'junk.bin'],
    );
    assert.match(results[1]!.error!, /is not an image/);
  });
});
