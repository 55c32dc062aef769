import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { convertCheckpoint } from '../../src/convert/index.js';
import { readOnnx, writeOnnx } from '../../src/graph/index.js';
import { loadClassifier, ModelError, type NodeClassifier } from '../../src/index.js';
import { readModelInfo } from '../../src/model/model-info.js';
import { FIXTURES } from '../support/fixtures.js';
import { greyManifest } from '../preprocess/grey-reference.js';

const D2L = join(FIXTURES, 'arch', 'd2l-nin-small.params');
const IMAGES = join(FIXTURES, 'images');
/* The parity bound on probabilities; measured 1.6e-7 (float32 rounding of the same computation). */
const TOLERANCE = 1e-4;

/** The model with its metadata entry `key` replaced (`undefined`: removed), weights and graph unchanged. */
function withMetadata(onnx: Uint8Array, key: string, value: string | undefined): Uint8Array {
  const model = readOnnx(onnx);
  const metadata: Record<string, string> = { ...model.metadata };
  if (value === undefined) delete metadata[key];
  else metadata[key] = value;
  return writeOnnx(model.graph, { producerName: model.producerName, producerVersion: model.producerVersion, metadata });
}

describe("a grey (1-channel) model: d2l's NiN converted by nin-convert", () => {
  let onnx: Uint8Array;
  let classifier: NodeClassifier;
  before(async () => {
    onnx = (await convertCheckpoint(readFileSync(D2L))).onnx;
    classifier = await loadClassifier(onnx, { dtype: 'fp32', threads: 1 });
  });
  after(() => classifier?.dispose());

  test('the metadata spec says one channel, and the graph takes [N, 1, 224, 224]', () => {
    const info = readModelInfo(onnx, 'd2l.onnx');
    assert.equal(info.preprocessing.channels, 1);
    assert.equal(info.inputChannels, 1);
    assert.equal(info.architectureSummary?.id, 'd2l-nin');
    // What the weights cannot show is recorded kind by kind: d2l's activation, pooling, preprocessing, labels.
    assert.deepEqual(
      info.assumptions?.map((line) => line.slice(0, line.indexOf(':'))),
      ['activation', 'pooling', 'preprocessing', 'labels'],
    );
  });

  test("classify gives PyTorch's probabilities on PIL's grey image, within 1e-4, for every image", async () => {
    const entries = greyManifest.images.filter((e) => e.references.d2l !== undefined);
    const results = await classifier.classifyBatch(
      entries.map((e) => join(IMAGES, e.file)),
      { top: 10 },
    );
    let worst = 0;
    results.forEach((predictions, i) => {
      const expected = entries[i]!.references.d2l!.d2lProbabilities!;
      assert.equal(predictions.top.length, 10);
      for (const p of predictions.top) worst = Math.max(worst, Math.abs(p.probability - expected[p.index]!));
    });
    assert.ok(worst <= TOLERANCE, `max |difference| ${worst} > ${TOLERANCE}`);
  });

  test('a grey model converted before the spec carried channels takes them from its recorded architecture', () => {
    const { channels, ...older } = readModelInfo(onnx, 'x').preprocessing;
    assert.equal(channels, 1);
    const info = readModelInfo(withMetadata(onnx, 'nin.preprocessing', JSON.stringify(older)), 'old.onnx');
    assert.equal(info.preprocessing.channels, 1);
    assert.equal(info.inputChannels, 1);
  });

  test('metadata whose spec and architecture disagree on channels is refused, and so are unreadable assumptions', () => {
    const colour = { ...readModelInfo(onnx, 'x').preprocessing, channels: 3 };
    assert.throws(() => readModelInfo(withMetadata(onnx, 'nin.preprocessing', JSON.stringify(colour)), 'bad.onnx'), {
      name: 'ModelError',
      message: "bad.onnx: 'nin.preprocessing' says 3 channels but 'nin.architecture' says 1",
    });
    assert.throws(() => readModelInfo(withMetadata(onnx, 'nin.assumptions', '[1]'), 'bad.onnx'), {
      name: 'ModelError',
      message: "bad.onnx: 'nin.assumptions': must be a JSON array of at most 100000 strings, got [1]",
    });
  });

  test('a model of another channel count is refused by name', async () => {
    const architecture = JSON.parse(readModelInfo(onnx, 'x').architecture!) as Record<string, unknown>;
    const four = withMetadata(
      withMetadata(onnx, 'nin.architecture', JSON.stringify({ ...architecture, inputChannels: 4 })),
      'nin.preprocessing',
      JSON.stringify({ ...readModelInfo(onnx, 'x').preprocessing, channels: undefined }),
    );
    await assert.rejects(loadClassifier(four, { dtype: 'fp32' }), (error: unknown) => {
      assert.ok(error instanceof ModelError);
      assert.equal(
        error.message,
        'model bytes takes 4-channel images (d2l-nin): only grey (1-channel) and colour (3-channel) models can classify images',
      );
      return true;
    });
  });
});
