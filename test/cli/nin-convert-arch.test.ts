import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { readCheckpoint } from '../../src/formats/pth/index.js';
import { writeCheckpoint } from '../../src/formats/pth/write/index.js';
import { CHECKPOINTS, FIXTURES, ROOT } from '../support/fixtures.js';

const CLI = join(ROOT, 'dist', 'src', 'cli', 'nin-convert.js');
const ARCH = join(FIXTURES, 'arch');

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const tempDir = () => mkdtempSync(join(tmpdir(), 'nin-convert-arch-'));

/** What a registry entry supplies and the weights cannot show, said kind by kind on every conversion. */
const TAKEN_SETTING = /^nin-convert: assumed: (activation|pooling|batchnorm|preprocessing|labels): /;

/** stderr's lines without the taken-settings ones, which every registry conversion ends with. */
function beforeTakenSettings(stderr: string): string[] {
  const lines = stderr.trimEnd().split('\n');
  const first = lines.findIndex((line) => TAKEN_SETTING.test(line));
  assert.ok(first < 0 || lines.slice(first).every((line) => TAKEN_SETTING.test(line)), stderr);
  return first < 0 ? lines : lines.slice(0, first);
}

describe('nin-convert with the architecture registry (built CLI)', () => {
  test('--list-architectures prints every entry with its source and unread settings', () => {
    const { code, stdout } = run('--list-architectures');
    assert.equal(code, 0);
    for (const id of [
      'cifar10',
      'imagenet',
      'pytorchcv-nin-cifar10',
      'pytorchcv-nin-cifar100',
      'pytorchcv-nin-svhn',
      'd2l-nin',
      'rasbt-nin-batchnorm',
      'yangqiongyongyu-nin',
    ]) {
      assert.match(stdout, new RegExp(`^${id}  `, 'm'));
    }
    assert.match(
      stdout,
      /^ {4}not in the weights: max pool 3\/2 pad 0 ceil, avg pool 3\/2 pad 0 ceil, avg pool 8\/1 pad 0 floor, /m,
    );
  });

  test('recognised by keys alone: only what the weights cannot show is said, kind by kind', () => {
    const out = join(tempDir(), 'model.onnx');
    const { code, stdout, stderr } = run(join(ARCH, 'rasbt-nin-batchnorm-small.pth'), out);
    const from = "as rasbt-nin-batchnorm's code has it; not in a state_dict";
    assert.equal(
      stderr,
      [
        `activation: ReLU after every convolution (${from}): override with --arch <file.json> (see --print-arch)`,
        `pooling: max 3/2 pad 1, avg 3/2 pad 1, avg 8/1 (${from}): override with --arch <file.json> (see --print-arch)`,
        `batchnorm: eps 0.00001 (${from}): override with --arch <file.json> (see --print-arch)`,
        "preprocessing: resize to 32, RGB, ×1/255, mean 0 0 0, std 1 1 1 (the rasbt-nin-batchnorm entry's; not in a checkpoint): " +
          'override with --preprocessing <spec.json>',
        "labels: the rasbt-nin-batchnorm entry's 10 (airplane, automobile, bird, …; not in a checkpoint): override with --labels <file>",
      ]
        .map((line) => `nin-convert: assumed: ${line}\n`)
        .join(''),
    );
    assert.equal(code, 0);
    assert.match(stdout, /\(zip, rasbt NiN with BatchNorm \(CIFAR-10\), [\d,]+ parameters, 10 classes\)/);
  });

  test('a tie is refused in one line, and the published file name settles it with a warning', () => {
    const dir = tempDir();
    const anonymous = join(dir, 'weights.pth');
    copyFileSync(join(ARCH, 'nin_svhn-small.pth'), anonymous);
    const tie = run(anonymous, join(dir, 'a.onnx'));
    assert.equal(tie.code, 1);
    assert.match(
      tie.stderr,
      /^nin-convert: this checkpoint fits 2 known architectures equally .* Name one with --arch pytorchcv-nin-cifar10\|pytorchcv-nin-svhn\n$/,
    );
    assert.ok(!existsSync(join(dir, 'a.onnx')));

    const published = join(dir, 'nin_svhn-0376-65c3adfb.pth');
    copyFileSync(join(ARCH, 'nin_svhn-small.pth'), published);
    const named = run(published, join(dir, 'b.onnx'), '--quiet');
    assert.equal(named.code, 0);
    assert.deepEqual(beforeTakenSettings(named.stderr), [
      'nin-convert: assumed: pytorchcv-nin-cifar10 has the same keys and shapes as pytorchcv-nin-svhn; took pytorchcv-nin-svhn because the file name contains ' +
        'nin_svhn- (its labels and preprocessing are what differ: pass --arch pytorchcv-nin-cifar10 if that is wrong)',
    ]);
  });

  test('--arch <id> says what it took as given, even with --quiet', () => {
    const dir = tempDir();
    const { code, stderr } = run(
      join(ARCH, 'nin_cifar10-small.pth'),
      join(dir, 'm.onnx'),
      '--arch',
      'pytorchcv-nin-cifar10',
      '--quiet',
    );
    assert.equal(code, 0);
    const said = beforeTakenSettings(stderr);
    assert.equal(said.length, 1);
    assert.match(
      said[0]!,
      /^nin-convert: assumed: took the layers of pytorchcv-nin-cifar10 as given \(max pool 3\/2 pad 1 floor, .*\): a state_dict does not record them$/,
    );
  });

  test('a pickled optimizer beside the state_dict is named in one line, never constructed', () => {
    const { code, stderr } = run(join(ARCH, 'yangqiongyongyu-nin-small.pth.tar'), join(tempDir(), 'm.onnx'), '--quiet');
    assert.equal(code, 0);
    assert.deepEqual(beforeTakenSettings(stderr), [
      "nin-convert: took checkpoint['state_dict']",
      'nin-convert: ignored: torch.optim.sgd.SGD',
    ]);
  });

  test('--arch my-net.json: a bad field is one line naming layer and field; a good file converts with its assumptions said', () => {
    const dir = tempDir();
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        id: 'x',
        inputSize: 32,
        labels: ['a'],
        preprocessing: { scale: 1, mean: [0, 0, 0], std: [1, 1, 1] },
        layers: [{ kind: 'avgPool', name: 'p', kernel: 3, padding: 2 }],
      }),
    );
    const refused = run(join(ARCH, 'd2l-nin-small.params'), join(dir, 'm.onnx'), '--arch', bad);
    assert.equal(refused.code, 1);
    assert.equal(
      refused.stderr,
      `nin-convert: ${bad}: layers[0].padding must be at most half the kernel (PyTorch's rule), got 2 for kernel 3\n`,
    );

    const unknown = run(join(ARCH, 'd2l-nin-small.params'), join(dir, 'm.onnx'), '--arch', 'resnet');
    assert.equal(unknown.code, 2);
    assert.match(
      unknown.stderr,
      /^nin-convert: --arch should be one of cifar10, imagenet, pytorchcv-nin-cifar10, .* or a \.json file, got 'resnet'/,
    );

    assert.equal(
      run(join(ARCH, 'd2l-nin-small.params'), join(dir, 'm.onnx'), '--arch', 'd2l-nin', '--family', 'cifar10').code,
      2,
    );
  });

  test("--arch my-net.json on a {'net': …} checkpoint: converts, and says what it took as given", () => {
    const { code, stdout, stderr } = run(
      join(ARCH, 'kuangliu-style-ckpt.pth'),
      join(tempDir(), 'm.onnx'),
      '--arch',
      join(ARCH, 'kuangliu-style-nin.json'),
    );
    assert.equal(code, 0, stderr);
    assert.match(stdout, /\(zip, NIN in a kuangliu\/pytorch-cifar fork, [\d,]+ parameters, 10 classes\)/);
    // A user's JSON states its own activations, pools, preprocessing and labels: only the layers' being taken is said.
    assert.equal(
      stderr,
      "nin-convert: took checkpoint['net']\n" +
        'nin-convert: assumed: took the layers of kuangliu-style-nin as given (max pool 2/2 pad 0 floor, max pool 2/2 pad 0 floor, adaptive avg pool to 1×1, ' +
        'conv stride/padding 1/1,1/0,1/0,1/1,1/0,1/0,1/1,1/0,1/0, 3×32×32 input): a state_dict does not record them\n',
    );
  });

  test('--family over a checkpoint whose keys fit another entry: the override, then the assumptions, on stderr', () => {
    const { code, stderr } = run(
      join(ARCH, 'yangqiongyongyu-nin-small.pth.tar'),
      join(tempDir(), 'm.onnx'),
      '--family',
      'cifar10',
      '--quiet',
    );
    assert.equal(code, 0);
    const lines = beforeTakenSettings(stderr);
    assert.deepEqual(lines.slice(0, 2), [
      "nin-convert: took checkpoint['state_dict']",
      'nin-convert: ignored: torch.optim.sgd.SGD',
    ]);
    assert.deepEqual(lines.slice(2, 4), [
      "nin-convert: assumed: the checkpoint's keys and shapes fit yangqiongyongyu-nin exactly, not cifar10: the hint overrides that (drop it to convert as yangqiongyongyu-nin)",
      'nin-convert: assumed: matched renamed keys to the layers of cifar10 in checkpoint order (features.0.weight → classifier.0.weight, features.0.bias → classifier.0.bias …)',
    ]);
    assert.match(
      lines[4]!,
      /^nin-convert: assumed: took the layers of cifar10 as given by --family \(max pool 3\/2 pad 1 floor, /,
    );
    assert.equal(lines.length, 5);
  });

  test('--family refuses tensors the family does not use: one line, exit 1, nothing written', () => {
    const tensors = new Map<string, { shape: readonly number[]; data: Float32Array }>();
    for (const [key, tensor] of readCheckpoint(readFileSync(join(CHECKPOINTS, 'cifar-small.pth'))).tensors) {
      tensors.set(key, { shape: tensor.shape, data: tensor.data as Float32Array });
    }
    tensors.set('aux_head.weight', { shape: [10, 16], data: new Float32Array(160) });
    const dir = tempDir();
    writeFileSync(join(dir, 'extra.pth'), writeCheckpoint(tensors));
    assert.deepEqual(run(join(dir, 'extra.pth'), join(dir, 'm.onnx'), '--family', 'cifar10'), {
      code: 1,
      stdout: '',
      stderr:
        'nin-convert: the checkpoint has tensors that cifar10 does not use: aux_head.weight (1 key); converting would drop them. ' +
        'Describe the whole network with --arch <file.json>\n',
    });
    assert.equal(existsSync(join(dir, 'm.onnx')), false);
  });
});
