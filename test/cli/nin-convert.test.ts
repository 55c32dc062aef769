import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { checkModel } from '../../src/model/checked-model.js';
import { CHECKPOINTS, ROOT } from '../support/fixtures.js';
import { bundledCli } from '../support/cli.js';

const CLI = await bundledCli('nin-convert');

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('nin-convert (built CLI, as a user runs it)', () => {
  test('converts a checkpoint and reports what it did', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'nin-convert-')), 'model.onnx');
    const { code, stdout, stderr } = run(join(CHECKPOINTS, 'cifar-small-legacy-v1-py2.pth'), out);
    // What the weights cannot show, kind by kind: the family's activation, pooling, preprocessing and labels.
    assert.deepEqual(
      stderr.split('\n').map((line) => /^nin-convert: assumed: (\w+):/.exec(line)?.[1] ?? line),
      ['activation', 'pooling', 'preprocessing', 'labels', ''],
    );
    assert.equal(code, 0);
    assert.match(
      stdout,
      /^.*cifar-small-legacy-v1-py2\.pth \(legacy-v1, pytorch-nin-cifar10, 29,202 parameters, 10 classes\) → .*model\.onnx \([\d.]+ kB, opset 17\) in \d+ ms\n$/,
    );
    const session = await ort.InferenceSession.create(out);
    assert.deepEqual(session.outputNames, ['logits', 'probabilities', 'class_maps']);
    await session.release();
  });

  test('--help and --version', () => {
    const help = run('--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: nin-convert <checkpoint\.pth> <out\.onnx> \[options\]/);
    assert.equal(run('--version').stdout.trim(), JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });

  test('usage errors: one line, exit code 2', () => {
    assert.deepEqual(run('only-one.pth'), {
      code: 2,
      stdout: '',
      stderr: 'nin-convert: expected a checkpoint and an output path, got 1 argument (see nin-convert --help)\n',
    });
    assert.equal(
      run('--family', 'resnet', 'a', 'b').stderr,
      "nin-convert: --family should be one of cifar10, imagenet, got 'resnet' (see nin-convert --help)\n",
    );
    assert.equal(
      run('--frobnicate', 'a', 'b').stderr,
      "nin-convert: Unknown option '--frobnicate' (see nin-convert --help)\n",
    );
  });

  test('bad input: one line on stderr, exit code 1, nothing written, an existing output left as it was', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nin-convert-'));
    const out = join(dir, 'out.onnx');
    writeFileSync(out, 'previous contents');
    const cases: [string, string][] = [
      [
        join(CHECKPOINTS, 'hostile', 'posix-system.pth'),
        "nin-convert: unsupported global 'posix.system' in pickle: only tensor and container types are allowed (like torch.load(weights_only=True))\n",
      ],
      [join(dir, 'missing.pth'), `nin-convert: no such file: ${join(dir, 'missing.pth')}\n`],
      [join(CHECKPOINTS, 'other-arch.pth'), ''],
    ];
    for (const [input, message] of cases) {
      const { code, stdout, stderr } = run(input, out);
      assert.equal(code, 1, stderr);
      assert.equal(stdout, '');
      if (message !== '') assert.equal(stderr, message);
      assert.equal(stderr.trimEnd().split('\n').length, 1, stderr);
      assert.equal(readFileSync(out, 'utf8'), 'previous contents');
      assert.deepEqual(readdirSync(dir), ['out.onnx']);
    }
  });
});

describe('nin-convert start-up and output', () => {
  test('a conversion loads no package from node_modules and writes the canonical encoding, which checkModel keeps as it is', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nin-convert-loads-'));
    const log = join(dir, 'loads.txt');
    const result = spawnSync(
      process.execPath,
      [
        '--import',
        join(ROOT, 'test/support/record-loads.mjs'),
        CLI,
        join(CHECKPOINTS, 'cifar-small.pth'),
        join(dir, 'model.onnx'),
      ],
      { encoding: 'utf8', env: { ...process.env, NIN_RECORD_LOADS: log } },
    );
    assert.equal(result.status, 0, result.stderr);
    const files = [...new Set(readFileSync(log, 'utf8').split('\n'))]
      .filter((url) => url.startsWith('file://'))
      .map((url) => url.slice('file://'.length));
    assert.deepEqual(
      files.filter((file) => file.includes('node_modules')),
      [],
      'nin-convert is one bundle: no package loads from node_modules',
    );
    const ours = files.filter((file) => file.startsWith(join(ROOT, 'dist', 'cli')));
    assert.ok(ours.length > 1, ours.join(', '));
    // protobuf-es's field order, the one encoder's (canonical-encoder.ts): ONNX Runtime gets these very bytes.
    const written = new Uint8Array(readFileSync(join(dir, 'model.onnx')));
    assert.equal(checkModel(written, 'model.onnx').bytes, written);
  });
});
