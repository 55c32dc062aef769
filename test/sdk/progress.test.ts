/**
 * The progress callback, against the real default model: `loadClassifier`'s model read, each provider tried and the
 * one that started, then each ONNX Runtime run of `classifyBatch`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultModelPath, loadClassifier, type ProgressEvent } from '../../src/index.js';
import { FIXTURES } from '../support/fixtures.js';

const CAT = join(FIXTURES, 'images', 'cifar10', 'cat-0000.jpg');

test('onProgress: the model read, the provider tried and started, then each batch of classifyBatch', async () => {
  const events: ProgressEvent[] = [];
  const classifier = await loadClassifier(undefined, {
    provider: ['cuda', 'cpu'],
    batchSize: 2,
    onProgress: (e) => events.push(e),
  });
  try {
    const source = defaultModelPath();
    const { byteLength } = readFileSync(source);
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
