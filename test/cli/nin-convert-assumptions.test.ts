/**
 * "Never silently wrong", path by path through the built CLI: every way nin-convert can take something as
 * given (a file name breaking a tie, --arch by id or JSON, keys matched by order, --family, a hint overriding the
 * keys, an entry's own assumed preprocessing) prints each assumption on stderr, even with --quiet, and records the
 * same list in the model's 'nin.assumptions'; a model read from its keys alone says and records nothing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { readCheckpoint } from '../../src/formats/pth/index.js';
import { writeCheckpoint } from '../../src/formats/pth/write/index.js';
import { decodeOnnx, readOnnxMetadata } from '../../src/graph/index.js';
import { bundledCli } from '../support/cli.js';
import { CHECKPOINTS, FIXTURES, ROOT } from '../support/fixtures.js';

const CLI = await bundledCli('nin-convert');
const ARCH = join(FIXTURES, 'arch');
const dir = mkdtempSync(join(tmpdir(), 'nin-convert-assumed-'));
const PREFIX = 'nin-convert: assumed: ';

/** What a registry entry supplies and the weights cannot show: said kind by kind on every conversion. */
const TAKEN_SETTING = /^(activation|pooling|batchnorm|preprocessing|labels): /;

/**
 * Converts with --quiet; the assumption lines of stderr (`said`, without the taken-settings ones, which `settings`
 * holds by kind), the recorded list and the recorded architecture id.
 */
function convert(checkpoint: string, ...args: string[]) {
  const out = join(dir, `${Math.random().toString(36).slice(2)}.onnx`);
  const result = spawnSync(process.execPath, [CLI, checkpoint, out, '--quiet', ...args], {
    encoding: 'utf8',
    cwd: ROOT,
  });
  assert.equal(result.status, 0, result.stderr);
  // The other lines --quiet keeps: where the weights were taken from, what was kept inert beside them.
  const lines = result.stderr.split('\n').filter((line) => line !== '' && !/^nin-convert: (took|ignored:) /.test(line));
  assert.ok(
    lines.every((line) => line.startsWith(PREFIX)),
    result.stderr,
  );
  const metadata = readOnnxMetadata(decodeOnnx(readFileSync(out))).metadata;
  const recorded = metadata['nin.assumptions'];
  const all = lines.map((line) => line.slice(PREFIX.length));
  return {
    all,
    said: all.filter((line) => !TAKEN_SETTING.test(line)),
    settings: all.filter((line) => TAKEN_SETTING.test(line)).map((line) => line.slice(0, line.indexOf(':'))),
    recorded: recorded === undefined ? undefined : (JSON.parse(recorded) as string[]),
    architecture: (JSON.parse(metadata['nin.architecture']!) as { id: string }).id,
    preprocessing: JSON.parse(metadata['nin.preprocessing']!) as { std: number[] },
  };
}

/** The checkpoint's float tensors under other names, in the same order (a user's own training script). */
function renamed(file: string): string {
  const tensors = new Map<string, { shape: readonly number[]; data: Float32Array }>();
  let n = 0;
  for (const [key, tensor] of readCheckpoint(readFileSync(join(ARCH, file))).tensors) {
    if (tensor.data instanceof Float32Array)
      tensors.set(`layer${n++}.${key.slice(key.lastIndexOf('.') + 1)}`, { shape: tensor.shape, data: tensor.data });
  }
  const path = join(dir, `renamed-${file}`);
  writeFileSync(path, writeCheckpoint(tensors));
  return path;
}

function assertSaidAndRecorded(
  result: ReturnType<typeof convert>,
  architecture: string,
  expected: readonly (string | RegExp)[],
): void {
  assert.equal(result.architecture, architecture);
  assert.equal(result.said.length, expected.length, result.said.join('\n'));
  expected.forEach((e, i) =>
    typeof e === 'string' ? assert.equal(result.said[i], e) : assert.match(result.said[i]!, e),
  );
  assert.deepEqual(result.recorded, result.all);
}

describe('nin-convert: every assumption is said and recorded (built CLI)', () => {
  test('keys alone: only what the weights cannot show, kind by kind, said and recorded', () => {
    const result = convert(join(ARCH, 'rasbt-nin-batchnorm-small.pth'));
    assert.deepEqual(
      [result.said, result.settings, result.architecture],
      [[], ['activation', 'pooling', 'batchnorm', 'preprocessing', 'labels'], 'rasbt-nin-batchnorm'],
    );
    assert.deepEqual(result.recorded, result.all);
  });

  test("a published file name breaks pytorchcv's tie", () => {
    const published = join(dir, 'nin_cifar10-0743-9696c45b.pth');
    copyFileSync(join(ARCH, 'nin_cifar10-small.pth'), published);
    assertSaidAndRecorded(convert(published), 'pytorchcv-nin-cifar10', [
      /^pytorchcv-nin-svhn has the same keys and shapes as pytorchcv-nin-cifar10; took pytorchcv-nin-cifar10 because/,
    ]);
  });

  test('--arch <registry id> on its own keys', () => {
    assertSaidAndRecorded(
      convert(join(ARCH, 'nin_svhn-small.pth'), '--arch', 'pytorchcv-nin-svhn'),
      'pytorchcv-nin-svhn',
      [
        /^took the layers of pytorchcv-nin-svhn as given \(max pool 3\/2 pad 1 floor, .*\): a state_dict does not record them$/,
      ],
    );
  });

  test('--arch <registry id> on renamed keys: matched by order', () => {
    const result = convert(renamed('yangqiongyongyu-nin-small.pth.tar'), '--arch', 'yangqiongyongyu-nin');
    assertSaidAndRecorded(result, 'yangqiongyongyu-nin', [
      'matched renamed keys to the layers of yangqiongyongyu-nin in checkpoint order (layer0.weight → features.0.weight, layer1.bias → features.0.bias …)',
      /^took the layers of yangqiongyongyu-nin as given \(max pool 3\/2 pad 0 ceil, /,
    ]);
  });

  test('--arch my-net.json', () => {
    const result = convert(join(ARCH, 'kuangliu-style-ckpt.pth'), '--arch', join(ARCH, 'kuangliu-style-nin.json'));
    assertSaidAndRecorded(result, 'kuangliu-style-nin', [
      /^took the layers of kuangliu-style-nin as given \(max pool 2\/2 /,
    ]);
  });

  test("--family on the family's own keys", () => {
    assertSaidAndRecorded(convert(join(CHECKPOINTS, 'cifar-small.pth'), '--family', 'cifar10'), 'cifar10', [
      /^took the layers of cifar10 as given by --family \(max pool 3\/2 pad 1 floor, /,
    ]);
  });

  test('--family over keys that fit another entry: the override first, then the order matching, then the layers', () => {
    const result = convert(join(ARCH, 'yangqiongyongyu-nin-small.pth.tar'), '--family', 'cifar10');
    assertSaidAndRecorded(result, 'cifar10', [
      /^the checkpoint's keys and shapes fit yangqiongyongyu-nin exactly, not cifar10: the hint overrides that/,
      /^matched renamed keys to the layers of cifar10 in checkpoint order /,
      /^took the layers of cifar10 as given by --family /,
    ]);
  });

  test("kuangliu/pytorch-cifar's container: its main.py's normalisation, said and recorded in the spec", () => {
    const checkpoint = join(ARCH, 'kuangliu-fork-ckpt.pth');
    const result = convert(checkpoint);
    assertSaidAndRecorded(result, 'cifar10', [
      "the checkpoint is saved as kuangliu/pytorch-cifar's main.py saves it ({'net': …, 'acc', 'epoch'}): took that " +
        "script's normalisation (mean 0.4914, 0.4822, 0.4465, std 0.2023, 0.1994, 0.201) rather than the cifar10 entry's",
    ]);
    assert.deepEqual(result.preprocessing, {
      inputSize: 32,
      resizeShorterSide: 32,
      channelOrder: 'RGB',
      scale: 1 / 255,
      mean: [0.4914, 0.4822, 0.4465],
      std: [0.2023, 0.1994, 0.201],
    });
    // The same tensors saved bare: nothing says which script trained them, so the cifar10 entry's own spec, unsaid.
    const bare = join(dir, 'bare.pth');
    const tensors = new Map<string, { shape: readonly number[]; data: Float32Array }>();
    for (const [key, tensor] of readCheckpoint(readFileSync(checkpoint)).tensors)
      if (tensor.data instanceof Float32Array) tensors.set(key, { shape: tensor.shape, data: tensor.data });
    writeFileSync(bare, writeCheckpoint(tensors));
    const plain = convert(bare);
    assert.deepEqual([plain.said, plain.settings], [[], ['activation', 'pooling', 'preprocessing', 'labels']]);
    assert.deepEqual(plain.preprocessing.std, [0.247, 0.2435, 0.2616]);
  });

  test("an entry's own assumption (XNOR-Net's preprocessing), however it was recognised", () => {
    // The entry's own sentence is its preprocessing line: said in place of the generic one, on every path.
    const xnor = /^preprocessing: the cifar10 family's \(RGB, ToTensor, CIFAR-10 mean and std\), an approximation: /;
    for (const result of [
      convert(join(ARCH, 'xnor-net-nin-small.pth.tar')),
      convert(join(ARCH, 'xnor-net-nin-small.pth.tar'), '--arch', 'xnor-net-nin'),
    ]) {
      assert.equal(result.architecture, 'xnor-net-nin');
      assert.equal(result.all.filter((line) => xnor.test(line)).length, 1, result.all.join('\n'));
      assert.deepEqual(result.settings, ['preprocessing', 'activation', 'pooling', 'batchnorm', 'labels']);
      assert.deepEqual(result.recorded, result.all);
    }
    assert.match(
      convert(join(ARCH, 'xnor-net-nin-small.pth.tar'), '--arch', 'xnor-net-nin').said[0]!,
      /^took the layers of xnor-net-nin as given /,
    );
  });
});
