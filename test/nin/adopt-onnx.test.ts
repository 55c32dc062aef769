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
import { adoptOnnxClassifier } from '../../converters/onnx/adopt.js';
import { CIFAR10_LABELS, FAMILIES } from '../../converters/nin/index.js';
import { loadClassifier, readModelInfo } from '../../src/index.js';
import { FIXTURES, maxAbsDiff, ROOT } from '../support/fixtures.js';

const EXPORTED = join(FIXTURES, 'torch-export', 'cifar-small-torch.onnx');
const reference = JSON.parse(readFileSync(join(FIXTURES, 'torch-export', 'cifar-small-torch.json'), 'utf8')) as {
  input_float32_base64: string;
  dims: number[];
  probabilities: number[];
};

describe('adopting a torch.onnx.export classifier', () => {
  const bytes = new Uint8Array(readFileSync(EXPORTED));
  const cifar = FAMILIES.cifar10.preprocessing;

  test("gives PyTorch's probabilities, with the labels and preprocessing given", async () => {
    const adopted = adoptOnnxClassifier(bytes, { labels: CIFAR10_LABELS, preprocessing: cifar, family: 'cifar10' });
    assert.deepEqual(
      [adopted.inputName, adopted.classCount, adopted.endsInSoftmax, adopted.producer],
      ['images', 10, false, 'pytorch 1.13.0'],
    );
    const info = readModelInfo(adopted.onnx, 'adopted');
    assert.deepEqual(
      [info.labels, info.preprocessing, info.outputs],
      [CIFAR10_LABELS, cifar, { logits: 'scores', probabilities: 'probabilities' }],
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
      () => adoptOnnxClassifier(bytes, { labels: CIFAR10_LABELS, preprocessing: FAMILIES.imagenet.preprocessing }),
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
