/**
 * An ONNX file written by torch.onnx.export (fixtures/make_torch_export.py: the small CIFAR NIN of
 * fixtures/checkpoints/cifar-small.pth, Debian's PyTorch 1.13, opset 13) adopted as a nin-sdk model: labels and
 * preprocessing from options, a Softmax appended, and the probabilities equal to PyTorch's.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { adoptOnnxClassifier } from '../../src/convert/adopt-onnx.js';
import {
  architectureById,
  CIFAR10_LABELS,
  convertCheckpoint,
  NIN_CIFAR10,
  NIN_IMAGENET,
} from '../../src/convert/index.js';
import { GraphBuilder, ops, readOnnx, writeOnnx } from '../../src/graph/index.js';
import { loadClassifier, readModelInfo } from '../../src/index.js';
import { FIXTURES, maxAbsDiff, readFloat32, ROOT } from '../support/fixtures.js';

const EXPORTED = join(FIXTURES, 'torch-export', 'cifar-small-torch.onnx');
const reference = JSON.parse(readFileSync(join(FIXTURES, 'torch-export', 'cifar-small-torch.json'), 'utf8')) as {
  input_float32_base64: string;
  dims: number[];
  probabilities: number[];
};

describe('adopting a torch.onnx.export classifier', () => {
  const bytes = new Uint8Array(readFileSync(EXPORTED));
  const cifar = NIN_CIFAR10.preprocessing;

  test("gives PyTorch's probabilities, with the labels and preprocessing given", async () => {
    const adopted = adoptOnnxClassifier(bytes, { labels: CIFAR10_LABELS, preprocessing: cifar, family: 'cifar10' });
    assert.deepEqual(
      [adopted.inputName, adopted.classCount, adopted.endsInSoftmax, adopted.producer],
      ['images', 10, false, 'pytorch 1.13.0'],
    );
    const info = readModelInfo(adopted.onnx, 'adopted');
    assert.deepEqual(
      [info.labels, info.preprocessing, info.outputs],
      [CIFAR10_LABELS, cifar, { logits: 'scores', probabilities: 'probabilities', maps: 'class_maps' }],
    );
    const input = Buffer.from(reference.input_float32_base64, 'base64');
    const images = new Float32Array(input.buffer.slice(input.byteOffset, input.byteOffset + input.byteLength));
    const plane = 3 * 32 * 32;
    const classifier = await loadClassifier(adopted.onnx);
    try {
      const probabilities = await classifier.probabilities([
        images.subarray(0, plane),
        images.subarray(plane, 2 * plane),
      ]);
      assert.ok(maxAbsDiff(probabilities, new Float32Array(reference.probabilities)) < 1e-5);
    } finally {
      await classifier.dispose();
    }
  });

  test('refuses what it cannot serve, naming it', () => {
    assert.throws(() => adoptOnnxClassifier(bytes, { labels: ['cat', 'dog'], preprocessing: cifar }), {
      name: 'ArchitectureError',
      message: 'output scores has 10 classes but 2 labels were given; pass 10 labels in the labels option',
    });
    assert.throws(
      () => adoptOnnxClassifier(bytes, { labels: CIFAR10_LABELS, preprocessing: NIN_IMAGENET.preprocessing }),
      {
        name: 'ArchitectureError',
        message: 'input images is 32×32, but the preprocessing makes 224×224 images',
      },
    );
    assert.throws(
      () => adoptOnnxClassifier(new Uint8Array([0x08, 0xff]), { labels: CIFAR10_LABELS, preprocessing: cifar }),
      { name: 'ArchitectureError', message: /^not an ONNX model/ },
    );
  });

  test('nin-convert adopts it with --preprocessing; then predict takes it like any converted model', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'nin-adopt-')), 'adopted.onnx');
    const convert = spawnSync(
      process.execPath,
      [join(ROOT, 'dist', 'src', 'cli', 'nin-convert.js'), EXPORTED, out, '--preprocessing', 'cifar10'],
      { encoding: 'utf8' },
    );
    assert.equal(convert.status, 0, convert.stderr);
    assert.match(
      convert.stdout,
      /cifar-small-torch\.onnx \(ONNX from pytorch 1\.13\.0, 10 classes, input 32×32\) → .*adopted\.onnx \([\d.]+ kB, softmax appended\) in \d+ ms\n$/,
    );
    const predict = spawnSync(
      process.execPath,
      [
        join(ROOT, 'dist', 'src', 'cli', 'nin-sdk.js'),
        'predict',
        '--model',
        out,
        '--top',
        '1',
        'fixtures/images/cat.jpg',
      ],
      { encoding: 'utf8', cwd: ROOT },
    );
    assert.equal(predict.status, 0, predict.stderr);
    assert.match(predict.stdout, /^fixtures\/images\/cat\.jpg {2}\w+ \d+\.\d%\n$/);
    const missing = spawnSync(process.execPath, [join(ROOT, 'dist', 'src', 'cli', 'nin-convert.js'), EXPORTED, out], {
      encoding: 'utf8',
    });
    assert.deepEqual(
      [missing.status, missing.stderr],
      [
        2,
        'nin-convert: an ONNX input needs --preprocessing cifar10|imagenet|<spec.json>: how its images were prepared (see nin-convert --help)\n',
      ],
    );
  });
});

describe('adopting a grey (1-channel) classifier, d2l-style', async () => {
  const ARCH = join(FIXTURES, 'arch');
  // d2l's NiN at narrow width (1×224×224 input, 10 classes) as an exporter would leave it: one logits output, no
  // softmax, no metadata. Made from the fixture checkpoint's own conversion, less its probabilities output.
  const converted = readOnnx((await convertCheckpoint(readFileSync(join(ARCH, 'd2l-nin-small.params')))).onnx).graph;
  const logitsOnly = writeOnnx({
    ...converted,
    outputs: converted.outputs.filter((v) => v.name === 'logits'),
    nodes: converted.nodes.filter((n) => !n.outputs.some((v) => v.name === 'probabilities')),
  });
  const fashion = architectureById('d2l-nin')!;
  const { channels: _given, ...withoutChannels } = fashion.preprocessing;

  test("takes the channel count from the model's input, and gives PyTorch's probabilities on grey inputs", async () => {
    for (const preprocessing of [withoutChannels, fashion.preprocessing]) {
      const adopted = adoptOnnxClassifier(logitsOnly, { labels: fashion.labels, preprocessing });
      assert.deepEqual(adopted.preprocessing, { ...withoutChannels, channels: 1 });
      assert.equal(readModelInfo(adopted.onnx, 'adopted').preprocessing.channels, 1);
      const input = readFloat32({ file: 'fashion-224.input.bin', shape: [2, 1, 224, 224] }, ARCH);
      const plane = 224 * 224;
      const classifier = await loadClassifier(adopted.onnx);
      try {
        const probabilities = await classifier.probabilities([input.subarray(0, plane), input.subarray(plane)]);
        const expected = readFloat32({ file: 'd2l-nin-small.probabilities.bin', shape: [2, 10] }, ARCH);
        assert.ok(maxAbsDiff(probabilities, expected) < 1e-4);
      } finally {
        await classifier.dispose();
      }
    }
  });

  test('refuses a preprocessing that contradicts the input, and inputs of other channel counts', () => {
    assert.throws(
      () =>
        adoptOnnxClassifier(logitsOnly, { labels: fashion.labels, preprocessing: { ...withoutChannels, channels: 3 } }),
      { name: 'ArchitectureError', message: 'input input has 1 channel, but the preprocessing makes 3-channel images' },
    );
    assert.throws(
      () =>
        adoptOnnxClassifier(logitsOnly, {
          labels: fashion.labels,
          preprocessing: { ...NIN_IMAGENET.preprocessing, inputSize: 224 },
        }),
      {
        name: 'ArchitectureError',
        message:
          'input input takes grey images (1 channel), so the preprocessing needs equal means and stds: ' +
          'preprocessing spec: mean must be three equal numbers for channels 1, got [103.939, 116.779, 123.68]',
      },
    );
    const g = new GraphBuilder();
    g.output(ops.flatten(g, ops.globalAveragePool(g, g.input('planes', 'float32', ['N', 2, 32, 32])), 1), 'scores');
    assert.throws(
      () =>
        adoptOnnxClassifier(writeOnnx(g.build()), {
          labels: ['a', 'b'],
          preprocessing: NIN_CIFAR10.preprocessing,
        }),
      { name: 'ArchitectureError', message: 'input planes must have 1 (grey) or 3 (colour) channels, has 2' },
    );
  });
});
