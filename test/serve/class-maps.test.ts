import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadClassifier, type NodeClassifier } from '../../src/index.js';
import type { InferenceServer } from '../../src/serve/server.js';
import { convertCheckpoint } from '../../src/convert/index.js';
import { InferenceServer as Server } from '../../src/serve/server.js';
import { FIXTURES } from '../support/fixtures.js';
import { json, SERVE_DEFAULTS, seededInput, send, startDefaultServer } from './helpers.js';

const CAT = join(FIXTURES, 'images', 'cifar10', 'cat-0000.jpg');

let server: InferenceServer;
let classifier: NodeClassifier;

before(async () => {
  server = await startDefaultServer();
  classifier = await loadClassifier(undefined, { threads: 1, dtype: 'fp32' });
});
after(async () => {
  await server.shutdown();
  await classifier.dispose();
});

interface InferReply {
  outputs: { name: string; shape: number[]; datatype: string; data: number[] }[];
}

describe('serve: class maps', () => {
  test("infer: 'maps' asked by name gives [N, 10, 8, 8] maps whose means are the logits; not sent unasked", async () => {
    const input = seededInput(2, 3);
    const inputs = [{ name: 'input', shape: [2, 3, 32, 32], datatype: 'FP32', data: Array.from(input) }];
    const asked = await send(
      `${server.url}/v2/models/nin-cifar10/infer`,
      'POST',
      JSON.stringify({ inputs, outputs: [{ name: 'logits' }, { name: 'maps' }] }),
    );
    assert.equal(asked.status, 200, asked.body.toString());
    const [logits, maps] = (json(asked) as InferReply).outputs;
    assert.deepEqual([logits!.name, maps!.name], ['logits', 'maps']);
    assert.deepEqual([maps!.shape, maps!.datatype], [[2, 10, 8, 8], 'FP32']);
    for (let k = 0; k < 20; k++) {
      const cells = maps!.data.slice(k * 64, (k + 1) * 64);
      const mean = cells.reduce((a, b) => a + b, 0) / 64;
      assert.ok(Math.abs(mean - logits!.data[k]!) <= 1e-5 * Math.max(1e-6, Math.abs(logits!.data[k]!)));
    }
    const unasked = await send(`${server.url}/v2/models/nin-cifar10/infer`, 'POST', JSON.stringify({ inputs }));
    assert.deepEqual(
      (json(unasked) as InferReply).outputs.map((o) => o.name),
      ['logits', 'probabilities'],
    );
  });

  test('the image route with ?maps=1: each result carries its maps, logits and geometry, as explain --json', async () => {
    const reply = await send(`${server.url}/v2/models/nin-cifar10/classify?top=2&maps=1`, 'POST', readFileSync(CAT));
    assert.equal(reply.status, 200, reply.body.toString());
    const document = json(reply) as {
      results: {
        predictions: { label: string }[];
        classMaps: {
          geometry: Record<string, unknown>;
          logits: Record<string, number>;
          maps: Record<string, number[][]>;
        };
      }[];
    };
    const [result] = document.results;
    const local = await classifier.classify(CAT, { maps: true, top: 2 });
    assert.deepEqual(
      result!.predictions.map((p) => p.label),
      local.top.map((p) => p.label),
    );
    const { geometry, logits, maps } = result!.classMaps;
    assert.deepEqual(
      [geometry['inputSize'], geometry['rows'], geometry['cellStride'], geometry['receptiveField'], geometry['offset']],
      [32, 8, [4, 4], [27, 27], [-13, -13]],
    );
    assert.equal(Object.keys(maps).length, 10);
    for (const [label, rows] of Object.entries(maps)) {
      const mean = rows.flat().reduce((a, b) => a + b, 0) / 64;
      assert.ok(Math.abs(mean - logits[label]!) <= 1e-5 * Math.max(1e-6, Math.abs(logits[label]!)), label);
    }
    // Without the parameter, no maps; a value other than 0 or 1 is refused.
    const plain = json(await send(`${server.url}/v2/models/nin-cifar10/classify`, 'POST', readFileSync(CAT))) as {
      results: Record<string, unknown>[];
    };
    assert.equal(plain.results[0]!['classMaps'], undefined);
    const bad = await send(`${server.url}/v2/models/nin-cifar10/classify?maps=yes`, 'POST', readFileSync(CAT));
    assert.deepEqual([bad.status, json(bad)], [400, { error: 'maps must be 0 or 1, got "yes"' }]);
  });

  test('a model without maps (a Linear head): ?maps=1 is refused with 400, maps is an unknown output', async () => {
    const { onnx } = await convertCheckpoint(readFileSync(join(FIXTURES, 'arch', 'functional-zoo-nin-small.pth')));
    const zoo = await Server.start([{ name: 'zoo', bytes: onnx, source: 'zoo' }], SERVE_DEFAULTS);
    try {
      const reply = await send(`${zoo.url}/v2/models/zoo/classify?maps=1`, 'POST', readFileSync(CAT));
      assert.deepEqual(
        [reply.status, json(reply)],
        [
          400,
          { error: "model 'zoo' has no class maps: its logits are not the global average of a last convolutional map" },
        ],
      );
    } finally {
      await zoo.shutdown();
    }
  });
});
