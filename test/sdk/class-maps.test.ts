import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { convertCheckpoint } from '../../src/convert/index.js';
import { mapMean, mapRows, type ClassMaps } from '../../src/classifier/class-maps.js';
import { heatColour, upsampledMap } from '../../src/classifier/overlay.js';
import { classify, loadClassifier } from '../../src/node/classify.js';
import { explain } from '../../src/node/explain.js';
import { readModelInfo } from '../../src/model/model-info.js';
import { quantizeModel } from '../../src/quantize/node/quantize-model.js';
import { CHECKPOINTS, CIFAR10_SAMPLE_TAR, FIXTURES } from '../support/fixtures.js';
// inWorker's worker starts from TypeScript source too.
import '../support/inference-workers.js';

const CAT = join(FIXTURES, 'images', 'cat.jpg');

/** Each class's map averages to its logit within 1e-5 relative; the largest relative gap. */
function checkMeans(maps: ClassMaps): number {
  let worst = 0;
  maps.labels.forEach((label, k) => {
    const gap = Math.abs(mapMean(maps, k) - maps.logits[k]!) / Math.max(Math.abs(maps.logits[k]!), 1e-6);
    assert.ok(gap <= 1e-5, `${label}: map mean ${mapMean(maps, k)}, logit ${maps.logits[k]}`);
    worst = Math.max(worst, gap);
  });
  return worst;
}

describe('classify(image, { maps: true })', () => {
  for (const dtype of ['fp32', 'int8'] as const) {
    test(`the default ${dtype} model: 10 maps of 8×8 beside the scores, averaging to the logits`, async () => {
      const predictions = await classify(CAT, { dtype, maps: true, top: 3 });
      const maps = predictions.maps!;
      assert.equal(predictions.top.length, 3);
      assert.equal(predictions.top[0]!.label, 'cat');
      assert.deepEqual([maps.labels.length, maps.height, maps.width, maps.data.length], [10, 8, 8, 640]);
      assert.deepEqual(maps.geometry, { stride: [4, 4], receptiveField: [27, 27], offset: [-13, -13] });
      assert.equal(maps.inputSize, 32);
      checkMeans(maps);
      // The probabilities are the logits' softmax: the maps belong to the scores they are shown with.
      const exp = Array.from(maps.logits, (l) => Math.exp(l - Math.max(...maps.logits)));
      const sum = exp.reduce((a, b) => a + b, 0);
      for (const p of predictions.top) assert.ok(Math.abs(p.probability - exp[p.index]! / sum) <= 1e-6);
      assert.deepEqual(mapRows(maps, 3)[7]!.length, 8);
      // Without the option, no maps (and nothing else changes).
      const plain = await classify(CAT, { dtype, top: 3 });
      assert.equal(plain.maps, undefined);
      assert.deepEqual(
        plain.top.map((p) => p.probability),
        predictions.top.map((p) => p.probability),
      );
    });
  }

  test('in a worker thread (inWorker): the same maps', async () => {
    const worker = await loadClassifier(undefined, { dtype: 'fp32', inWorker: true });
    try {
      const maps = (await worker.classify(CAT, { maps: true })).maps!;
      const here = (await classify(CAT, { dtype: 'fp32', maps: true })).maps!;
      assert.deepEqual(maps.data, here.data);
      assert.deepEqual(maps.geometry, here.geometry);
    } finally {
      await worker.dispose();
    }
  });

  test('a converted ImageNet NIN: 1000 maps of 6×6, averaging to the logits', async () => {
    const { onnx } = await convertCheckpoint(readFileSync(join(CHECKPOINTS, 'imagenet-small.pth')));
    const classifier = await loadClassifier(onnx);
    try {
      const maps = (await classifier.classify(CAT, { maps: true })).maps!;
      assert.deepEqual([maps.labels.length, maps.height, maps.width, maps.inputSize], [1000, 6, 6, 224]);
      checkMeans(maps);
    } finally {
      await classifier.dispose();
    }
  });

  test('a model without maps (a Linear head) refuses { maps: true } in one line, and classifies without', async () => {
    const { onnx } = await convertCheckpoint(readFileSync(join(FIXTURES, 'arch', 'functional-zoo-nin-small.pth')));
    const classifier = await loadClassifier(onnx);
    try {
      await assert.rejects(classifier.classify(CAT, { maps: true }), {
        name: 'ModelError',
        message: 'model bytes has no class maps: its logits are not the global average of a last convolutional map',
      });
      assert.equal((await classifier.classify(CAT)).top.length, 5);
    } finally {
      await classifier.dispose();
    }
  });
});

describe('explain(image)', () => {
  test('a PNG of the stated size: a 256-pixel panel per class, the map blended over the image', async () => {
    const explanation = await explain(CAT, { top: 2, dtype: 'fp32' });
    assert.deepEqual([explanation.width, explanation.height], [624, 288]);
    assert.deepEqual(
      explanation.classes.map((c) => c.label),
      ['cat', 'dog'],
    );
    const { data, info } = await sharp(explanation.png).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height], [624, 288]);
    // The colour scale's top is the map's highest colour, its bottom the lowest.
    const at = (x: number, y: number) => (y * 624 + x) * info.channels;
    const pixel = (x: number, y: number) => Array.from(data.subarray(at(x, y), at(x, y) + 3));
    assert.deepEqual(pixel(256 + 4 + 6, 0), [...heatColour(1)]);
    assert.deepEqual(pixel(256 + 4 + 6, 255), [...heatColour(0)]);
  });

  test('a PNG image, after sharp has decoded (and blocked every other loader): the captions are drawn', async (t) => {
    // The PNG is decoded by sharp, which then blocks every libvips loader but the image formats' (SVG among them):
    // the captions must not need one. They were SVG once, and explain failed on every PNG.
    const png = join(FIXTURES, 'images', 'odd-33x47.png');
    await sharp(readFileSync(png)).metadata();
    const explanation = await explain(png, { top: 1, dtype: 'fp32' });
    assert.deepEqual([explanation.width, explanation.height], [312, 288]);
    const { data, info } = await sharp(explanation.png).raw().toBuffer({ resolveWithObject: true });
    // The caption strip under the panel is white but for the label's dark glyphs (where the system has a font:
    // libvips draws text with fontconfig's fonts, and a machine with none draws nothing, which is not this bug).
    let dark = 0;
    for (let y = 256; y < 288; y++)
      for (let x = 0; x < 256; x++) if (data[(y * info.width + x) * info.channels]! < 96) dark++;
    if (await systemHasFont()) assert.ok(dark > 50, `${dark} dark pixels in the caption`);
    else t.diagnostic('no font for libvips text here: the caption is blank, as the docs say');
  });

  test("the map is drawn where its cells look: each cell's value at the centre of the pixels it sees", () => {
    const data = new Float32Array(64);
    data[0] = 8; // cell (0, 0) only
    const maps: ClassMaps = {
      labels: ['a'],
      height: 8,
      width: 8,
      data,
      logits: Float32Array.of(0.125),
      geometry: { stride: [4, 4], receptiveField: [27, 27], offset: [-13, -13] },
      inputSize: 32,
    };
    const up = upsampledMap(maps, 0, 256);
    // Cell (0, 0) sees input pixels −13 … 13, centred on pixel 0: the panel's top-left pixels hold its value.
    assert.equal(up[0], 8);
    // Cell (1, 0) is centred on input pixel 4, panel pixel 35.5: there the value has fallen to 0.
    assert.equal(up[36 * 256], 0);
    assert.ok(up[18 * 256]! > 0 && up[18 * 256]! < 8);
  });
});

describe('class maps of a model quantized after conversion', () => {
  test('nin-sdk quantize points the maps at the dequantized copy the pool reads, which averages to the logits', async () => {
    const { onnx } = await convertCheckpoint(readFileSync(join(CHECKPOINTS, 'cifar-small.pth')));
    const quantized = await quantizeModel(onnx, 'cifar-small.onnx', { dataset: CIFAR10_SAMPLE_TAR, images: 50 });
    const info = readModelInfo(quantized.onnx, 'cifar-small-int8.onnx');
    assert.equal(info.outputs.maps, 'class_maps_dequantized');
    assert.equal(info.dtype, 'int8');
    const classifier = await loadClassifier(quantized.onnx, { dtype: 'int8' });
    try {
      checkMeans((await classifier.classify(CAT, { maps: true })).maps!);
    } finally {
      await classifier.dispose();
    }
  });
});

/** Whether libvips can draw text here: a letter rendered alone has some opaque pixels. */
async function systemHasFont(): Promise<boolean> {
  const { data } = await sharp({ text: { text: 'M', rgba: true, dpi: 144 } })
    .raw()
    .toBuffer({ resolveWithObject: true });
  for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) return true;
  return false;
}
