import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { buildArchitectureGraph, convertCheckpoint, recognizeArchitecture } from '../../src/convert/index.js';
import { readCheckpoint } from '../../src/formats/pth/index.js';
import { formatGraph, readOnnx } from '../../src/graph/index.js';
import { CHECKPOINTS, maxAbsDiff, readFloat32, readReference } from '../support/fixtures.js';

const read = (file: string) => readFileSync(join(CHECKPOINTS, file));

describe('the emitted ONNX model', () => {
  test('ImageNet: ceil_mode written as explicit asymmetric pads, sizes 54→27→13→6→1, no Dropout', () => {
    const checkpoint = readCheckpoint(read('imagenet-small.pth'));
    const graph = buildArchitectureGraph(recognizeArchitecture(checkpoint.tensors), checkpoint.tensors);
    const text = formatGraph(graph);
    const pools = text.split('\n').filter((line) => line.includes('Pool('));
    assert.equal(pools.length, 4, text);
    assert.match(pools[0]!, /MaxPool\(.*pads=\[0,0,1,1\].*: float32\[batch,16,27,27\]/);
    assert.match(pools[1]!, /MaxPool\(.*pads=\[0,0,0,0\].*: float32\[batch,24,13,13\]/); // 27 → 13 in both modes
    assert.match(pools[2]!, /MaxPool\(.*pads=\[0,0,0,0\].*: float32\[batch,32,6,6\]/);
    assert.match(pools[3]!, /AveragePool\(.*: float32\[batch,1000,1,1\]/);
    assert.doesNotMatch(text, /Dropout|auto_pad|ceil_mode/);
    assert.match(text, /logits.*float32\[batch,1000\]/);
  });

  test('CIFAR: pooling pads and count_include_pad as PyTorch has them', () => {
    const checkpoint = readCheckpoint(read('cifar-small.pth'));
    const text = formatGraph(buildArchitectureGraph(recognizeArchitecture(checkpoint.tensors), checkpoint.tensors));
    const pools = text.split('\n').filter((line) => line.includes('Pool('));
    assert.match(pools[0]!, /MaxPool\(.*pads=\[1,1,1,1\].*float32\[batch,16,16,16\]/);
    assert.match(pools[1]!, /AveragePool\(.*pads=\[1,1,1,1\], count_include_pad=1\}.*float32\[batch,32,8,8\]/);
    assert.match(pools[2]!, /AveragePool\(.*float32\[batch,10,1,1\]/);
  });

  test('metadata: family, labels, preprocessing, source SHA-256; symbolic batch; opset 17 / IR 8', async () => {
    const bytes = read('cifar-small.pth');
    const { onnx } = await convertCheckpoint(bytes);
    const model = readOnnx(onnx);
    assert.equal(model.opsetVersion, 17);
    assert.equal(model.irVersion, 8);
    assert.equal(model.metadata['nin.family'], 'cifar10');
    assert.deepEqual(JSON.parse(model.metadata['nin.labels']!), [
      'airplane',
      'automobile',
      'bird',
      'cat',
      'deer',
      'dog',
      'frog',
      'horse',
      'ship',
      'truck',
    ]);
    assert.deepEqual(JSON.parse(model.metadata['nin.preprocessing']!), {
      inputSize: 32,
      resizeShorterSide: 32,
      channelOrder: 'RGB',
      scale: 1 / 255,
      mean: [0.4914, 0.4822, 0.4465],
      std: [0.247, 0.2435, 0.2616],
    });
    const { createHash } = await import('node:crypto');
    assert.equal(model.metadata['nin.source_sha256'], createHash('sha256').update(bytes).digest('hex'));
    assert.equal(model.metadata['nin.source_format'], 'zip');
    assert.deepEqual(model.graph.inputs[0]!.shape, ['batch', 3, 32, 32]);
    assert.deepEqual(
      model.graph.outputs.map((o) => o.name),
      ['logits', 'probabilities', 'class_maps'],
    );
    assert.deepEqual(model.graph.outputs[2]!.shape, ['batch', 10, 8, 8]);
  });

  test('ImageNet metadata carries the 1000 ImageNet names and the Caffe convention', async () => {
    const model = readOnnx((await convertCheckpoint(read('imagenet-small.pth'))).onnx);
    const labels = JSON.parse(model.metadata['nin.labels']!) as string[];
    assert.equal(labels.length, 1000);
    assert.equal(labels[0], 'tench');
    assert.deepEqual(JSON.parse(model.metadata['nin.preprocessing']!), {
      inputSize: 224,
      resizeShorterSide: 256,
      channelOrder: 'BGR',
      scale: 1,
      mean: [103.939, 116.779, 123.68],
      std: [1, 1, 1],
    });
  });

  for (const opsetVersion of [13, 21]) {
    test(`opset ${opsetVersion} loads and matches PyTorch`, async () => {
      const { onnx } = await convertCheckpoint(read('cifar-small.pth'), { opsetVersion });
      assert.equal(readOnnx(onnx).opsetVersion, opsetVersion);
      const reference = readReference('cifar-small');
      const session = await ort.InferenceSession.create(onnx);
      const out = await session.run({
        input: new ort.Tensor('float32', readFloat32(reference.input), reference.input.shape),
      });
      assert.ok(maxAbsDiff(out['logits']!.data as Float32Array, readFloat32(reference.logits)) <= 1e-4);
      await session.release();
    });
  }

  test('--float16 halves the weights and equals PyTorch on the weights rounded with .half()', async () => {
    const full = await convertCheckpoint(read('cifar-full.pth.tar'));
    const half = await convertCheckpoint(read('cifar-full.pth.tar'), { float16: true });
    assert.ok(half.onnx.byteLength < full.onnx.byteLength * 0.55, `${half.onnx.byteLength} vs ${full.onnx.byteLength}`);
    const small = await convertCheckpoint(read('cifar-small.pth'), { float16: true });
    const reference = readReference('cifar-small-float16');
    const session = await ort.InferenceSession.create(small.onnx);
    const out = await session.run({
      input: new ort.Tensor('float32', readFloat32(reference.input), reference.input.shape),
    });
    assert.ok(maxAbsDiff(out['probabilities']!.data as Float32Array, readFloat32(reference.probabilities)) <= 1e-4);
    await session.release();
  });

  test('an opset outside 13–21 is refused', async () => {
    await assert.rejects(convertCheckpoint(read('cifar-small.pth'), { opsetVersion: 11 }), {
      message: 'opset must be from 13 to 21, got 11',
    });
  });
});
