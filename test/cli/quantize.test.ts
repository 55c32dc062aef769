import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { readOnnx } from '../../src/graph/index.js';
import { CHECKPOINTS, FIXTURES, ROOT } from '../support/fixtures.js';

const SDK = join(ROOT, 'dist', 'src', 'cli', 'nin-sdk.js');
const CONVERT = join(ROOT, 'dist', 'src', 'cli', 'nin-convert.js');
const FP32 = 'models/nin-cifar10.onnx';
const INT8 = 'models/nin-cifar10-int8.onnx';

function run(cli: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: ROOT });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The ten fixture CIFAR-10 test images as an ImageFolder dataset, `<class>/<n>.jpg`. */
function fixtureDataset(): string {
  const root = mkdtempSync(join(tmpdir(), 'nin-quantize-'));
  for (const file of readdirSync(join(FIXTURES, 'images', 'cifar10'))) {
    const [className, number] = file.split('-') as [string, string];
    mkdirSync(join(root, 'cifar-fixtures', className), { recursive: true });
    copyFileSync(join(FIXTURES, 'images', 'cifar10', file), join(root, 'cifar-fixtures', className, number));
  }
  return join(root, 'cifar-fixtures');
}

describe('nin-sdk quantize', () => {
  test('writes an int8 QDQ model that says how it was calibrated; the same sample gives the same bytes', () => {
    const dataset = fixtureDataset();
    const out = join(mkdtempSync(join(tmpdir(), 'nin-quantize-out-')), 'q.onnx');
    const first = run(SDK, 'quantize', FP32, out, '--calibrate', dataset, '--images', '8', '--threads', '1');
    assert.equal(first.code, 0, first.stderr);
    assert.match(
      first.stdout,
      new RegExp(
        `^models/nin-cifar10\\.onnx \\(3\\.87 MB\\) → ${out.replace(/[.]/g, '\\.')} \\(1\\.01 MB, int8 QDQ: 9 Convs, 12 activations; min/max over 8 images of cifar-fixtures\\) in [\\d.]+ s\\n$`,
      ),
    );
    const bytes = readFileSync(out);
    const model = readOnnx(bytes);
    assert.equal(model.metadata['nin.dtype'], 'int8');
    assert.equal(JSON.parse(model.metadata['nin.calibration']!).images, 8);
    assert.equal(run(SDK, 'quantize', FP32, out, '--calibrate', dataset, '--images', '8', '-q').stdout, '');
    assert.deepEqual(readFileSync(out), bytes);

    const info = run(SDK, 'info', out);
    assert.match(
      info.stdout,
      /\ndtype: {9}int8 \(static QDQ: uint8 activations, int8 per-channel weights\)\ncalibration: {3}min\/max over 8 images of cifar-fixtures \(seed 0\)\n$/,
    );
    assert.match(run(SDK, 'info', FP32).stdout, /\ndtype: {9}fp32\n$/);
  });

  test('usage errors and bad input: one line, exit 2 or 1, nothing written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nin-quantize-err-'));
    const out = join(dir, 'q.onnx');
    const dataset = fixtureDataset();
    const expect = (args: string[], code: number, stderr: string) =>
      assert.deepEqual(run(SDK, 'quantize', ...args), { code, stdout: '', stderr });
    expect(
      [FP32, out],
      2,
      'nin-sdk: --calibrate is required: a folder or tar of <class>/<image> images to calibrate on (see nin-sdk --help)\n',
    );
    expect(
      [FP32, '--calibrate', dataset],
      2,
      'nin-sdk: quantize needs an input model and an output path, got 1 argument (see nin-sdk --help)\n',
    );
    expect(
      [FP32, out, '--calibrate', dataset, '--images', '0'],
      2,
      "nin-sdk: --images must be an integer from 1 to 100000, got '0' (see nin-sdk --help)\n",
    );
    expect(
      [INT8, out, '--calibrate', dataset],
      1,
      'nin-sdk: models/nin-cifar10-int8.onnx is already quantized (nin.dtype=int8)\n',
    );
    expect([FP32, out, '--calibrate', join(dir, 'missing')], 1, `nin-sdk: no such file: ${join(dir, 'missing')}\n`);
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    expect([FP32, out, '--calibrate', empty], 1, `nin-sdk: no images found in ${empty} to calibrate on\n`);
    const broken = join(dir, 'broken');
    mkdirSync(join(broken, 'cat'), { recursive: true });
    copyFileSync(join(FIXTURES, 'images', 'invalid', 'not-an-image.jpg'), join(broken, 'cat', '1.jpg'));
    expect(
      [FP32, out, '--calibrate', broken],
      1,
      `nin-sdk: ${broken}: cat/1.jpg: image buffer (50 bytes) is not an image in an accepted format (JPEG, PNG, WebP, GIF, TIFF, BMP)\n`,
    );
    writeFileSync(join(dir, 'junk.onnx'), 'not a model');
    expect(
      [join(dir, 'junk.onnx'), out, '--calibrate', dataset],
      1,
      `nin-sdk: ${join(dir, 'junk.onnx')} is not an ONNX model (illegal tag: field no 13 wire type 6)\n`,
    );
    assert.equal(existsSync(out), false);
  });
});

describe('nin-convert --int8', () => {
  test('converts and quantizes in one step', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'nin-convert-int8-')), 'q.onnx');
    const { code, stdout, stderr } = run(
      CONVERT,
      join(CHECKPOINTS, 'cifar-full.pth.tar'),
      out,
      '--int8',
      '--calibrate',
      fixtureDataset(),
      '--images',
      '5',
    );
    assert.equal(code, 0, stderr);
    const mb = (readFileSync(out).byteLength / 1e6).toFixed(2);
    assert.ok(
      stdout.includes(`(${mb} MB, int8 QDQ: 9 Convs, 12 activations; min/max over 5 images of cifar-fixtures)`),
      stdout,
    );
    assert.equal(readOnnx(readFileSync(out)).metadata['nin.dtype'], 'int8');
  });

  test('usage errors', () => {
    const ckpt = join(CHECKPOINTS, 'cifar-full.pth.tar');
    const expect = (args: string[], stderr: string) =>
      assert.deepEqual(run(CONVERT, ckpt, '/tmp/never.onnx', ...args), { code: 2, stdout: '', stderr });
    expect(
      ['--int8'],
      'nin-convert: --int8 needs --calibrate <folder or tar>: images to measure the activation ranges on (see nin-convert --help)\n',
    );
    expect(
      ['--calibrate', 'x'],
      'nin-convert: --calibrate and --images apply only with --int8 (see nin-convert --help)\n',
    );
    expect(
      ['--int8', '--float16', '--calibrate', 'x'],
      'nin-convert: --int8 and --float16 cannot be combined (see nin-convert --help)\n',
    );
  });
});

describe('--dtype on predict and eval', () => {
  test('predict --dtype picks the embedded model; --json says which; int8 is the cpu default', () => {
    const image = 'fixtures/images/cifar10/cat-0000.jpg';
    const dtypeOf = (...args: string[]) => {
      const { code, stdout, stderr } = run(SDK, 'predict', '--json', ...args, image);
      assert.equal(code, 0, stderr);
      const doc = JSON.parse(stdout) as { dtype: string; results: { predictions: { label: string }[] }[] };
      assert.equal(doc.results[0]!.predictions[0]!.label, 'cat');
      return doc.dtype;
    };
    assert.equal(dtypeOf('--dtype', 'fp32'), 'fp32');
    assert.equal(dtypeOf('--dtype', 'int8'), 'int8');
    assert.equal(dtypeOf(), 'int8');
    assert.equal(dtypeOf('--model', INT8), 'int8');
  });

  test('a bad --dtype is a usage error; a --model of another precision is refused', () => {
    assert.deepEqual(run(SDK, 'predict', '--dtype', 'int4', 'fixtures/images/cat.jpg'), {
      code: 2,
      stdout: '',
      stderr: "nin-sdk: --dtype should be one of fp32, int8, got 'int4' (see nin-sdk --help)\n",
    });
    assert.deepEqual(run(SDK, 'eval', '--dtype', 'int8', '--model', FP32, 'fixtures/images/cifar10'), {
      code: 1,
      stdout: '',
      stderr: 'nin-sdk: models/nin-cifar10.onnx is an fp32 model, not int8 (make an int8 one with nin-sdk quantize)\n',
    });
  });
});
