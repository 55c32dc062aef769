/**
 * What `classify` and `loadClassifier` accept as an image or a model, and the typed error each refusal is: a URL
 * string is refused with what to do instead (ImageError, ModelError), a `file:` URL is a path, and a model file that
 * is missing or not a file is a ModelError that says so.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { classify, ImageError, loadClassifier, ModelError } from '../../src/index.js';
import { FIXTURES } from '../support/fixtures.js';

const CAT = join(FIXTURES, 'images', 'cifar10', 'cat-0000.jpg');

test('a URL is refused with what to do instead, for images and models', async () => {
  const advice =
    'download it first (for example new Uint8Array(await (await fetch(url)).arrayBuffer())) and pass the bytes';
  await assert.rejects(classify('https://example.com/cat.jpg'), (error: unknown) => {
    assert.ok(error instanceof ImageError);
    assert.equal(
      error.message,
      `https://example.com/cat.jpg is a URL: nin-sdk reads images from files or bytes; ${advice}`,
    );
    return true;
  });
  await assert.rejects(loadClassifier('http://example.com/m.onnx'), (error: unknown) => {
    assert.ok(error instanceof ModelError);
    assert.equal(
      error.message,
      `http://example.com/m.onnx is a URL: nin-sdk reads models from files or bytes; ${advice}`,
    );
    return true;
  });
  // file: URLs are local paths.
  assert.equal((await classify(new URL(`file://${CAT}`).href, { top: 1 })).top[0]!.label, 'cat');
});

test('a model file that is missing, or a folder, is a ModelError that names it and says why', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'nin-model-source-'));
  const missing = join(folder, 'missing.onnx');
  for (const [model, message] of [
    [missing, `cannot read ${missing}: no such file`],
    [folder, `cannot read ${folder}: it is a directory`],
  ] as const) {
    await assert.rejects(loadClassifier(model), (error: unknown) => {
      assert.ok(error instanceof ModelError);
      assert.equal(error.message, message);
      return true;
    });
    await assert.rejects(classify(CAT, { model }), { name: 'ModelError', message });
  }
});
