/**
 * Issue 21's API items, against the real default model: ONNX Runtime's process-wide log level left to the
 * application, `provider` surviving JSON, the progress callback, and what a URL string gets.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  classify,
  defaultModelPath,
  ImageError,
  loadClassifier,
  ModelError,
  type ProgressEvent,
} from '../../src/index.js';
import { FIXTURES, ROOT } from '../support/fixtures.js';

const CAT = join(FIXTURES, 'images', 'cifar10', 'cat-0000.jpg');

describe('nin-sdk API polish', () => {
  test('importing nin-sdk and classifying leaves ort.env.logLevel as the application set it', () => {
    const script =
      "import * as ort from 'onnxruntime-node'; const before = ort.env.logLevel; " +
      "const { classify } = await import('./src/index.ts'); await classify('fixtures/images/cat.jpg'); " +
      'console.log(JSON.stringify([before, ort.env.logLevel]));';
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      cwd: ROOT,
    });
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), ['warning', 'warning']);
  });

  test('the provider survives JSON.stringify, on every prediction', async () => {
    const top = await classify(CAT, { top: 2 });
    const json = JSON.parse(JSON.stringify(top)) as { label: string; provider: string }[];
    assert.deepEqual(
      json.map((p) => [p.label, p.provider]),
      [
        ['cat', 'cpu'],
        [top[1]!.label, 'cpu'],
      ],
    );
    assert.equal(top.provider, 'cpu');
  });

  test('onProgress: the model read, the provider tried and started, then each batch of classifyBatch', async () => {
    const events: ProgressEvent[] = [];
    const classifier = await loadClassifier(undefined, {
      provider: 'cuda,cpu',
      batchSize: 2,
      onProgress: (e) => events.push(e),
    });
    try {
      const source = defaultModelPath();
      const { byteLength } = await import('node:fs').then((fs) => fs.readFileSync(source));
      assert.deepEqual(
        events,
        [
          { stage: 'load', source, loaded: byteLength, total: byteLength },
          { stage: 'session', source, provider: 'cuda' },
          { stage: 'session', source, provider: 'cpu' },
          { stage: 'ready', source, provider: 'cpu' },
        ].filter((e) => classifier.provider === 'cpu' || e.provider !== 'cpu'),
      );
      events.length = 0;
      await classifier.classifyBatch([CAT, CAT, CAT, CAT, CAT], { onProgress: (e) => events.push(e) });
      assert.deepEqual(
        events,
        [2, 4, 5].map((done) => ({ stage: 'classify', done, total: 5 })),
      );
    } finally {
      await classifier.dispose();
    }
  });

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
    assert.equal((await classify(new URL(`file://${CAT}`).href, { top: 1 }))[0]!.label, 'cat');
  });
});
