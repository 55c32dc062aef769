/**
 * The built CLI on checkpoints saved as training scripts save them (fixtures/containers): where the
 * weights were taken from and what was left aside are said in one line each, every setting the weights cannot show is
 * said with the option that overrides it, and each option a refusal names (--key, --arch from --print-arch,
 * --preprocessing) then works.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { decodeOnnx, readOnnx, readOnnxMetadata } from '../../src/graph/index.js';
import { bundledCli } from '../support/cli.js';
import { FIXTURES, ROOT } from '../support/fixtures.js';
import { CIFAR10_COPIED_STD_PREPROCESSING } from '../../src/preprocess/spec.js';

const CLI = await bundledCli('nin-convert');
const CONTAINERS = join(FIXTURES, 'containers');
const dir = mkdtempSync(join(tmpdir(), 'nin-convert-containers-'));
let outputs = 0;

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: ROOT });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Converts a fixture with --quiet: exit code, stderr's lines and the written model's path. */
function convert(file: string, ...args: string[]) {
  const out = join(dir, `m${outputs++}.onnx`);
  const result = run(join(CONTAINERS, file), out, '--quiet', ...args);
  return { ...result, lines: result.stderr.trimEnd().split('\n'), out };
}

const CIFAR10_FROM = "as cifar10's code has it; not in a state_dict";
const CIFAR10_TAKEN = [
  `nin-convert: assumed: activation: ReLU after every convolution (${CIFAR10_FROM}): override with --arch <file.json> (see --print-arch)`,
  `nin-convert: assumed: pooling: max 3/2 pad 1, avg 3/2 pad 1, avg 8/1 (${CIFAR10_FROM}): override with --arch <file.json> (see --print-arch)`,
  "nin-convert: assumed: preprocessing: resize to 32, RGB, ×1/255, mean 0.4914 0.4822 0.4465, std 0.247 0.2435 0.2616 (the cifar10 entry's; " +
    'not in a checkpoint): override with --preprocessing <spec.json>',
  "nin-convert: assumed: labels: the cifar10 entry's 10 (airplane, automobile, bird, …; not in a checkpoint): override with --labels <file>",
];

describe('nin-convert on checkpoints as training scripts save them (built CLI)', () => {
  test("{'epoch', 'network'}: the weights are taken where they are, and everything assumed is said", () => {
    const result = convert('rotnet-style-network.pth');
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.lines, ["nin-convert: took checkpoint['network']", ...CIFAR10_TAKEN]);
  });

  test('objects that are not weights are listed on one line, never run', async () => {
    const counter = convert('model-state-counter.pth');
    assert.equal(counter.code, 0, counter.stderr);
    assert.deepEqual(counter.lines.slice(0, 2), [
      "nin-convert: took checkpoint['model_state']",
      'nin-convert: ignored: collections.Counter',
    ]);
    // nin-sdk info says the same from the model's metadata.
    const info = spawnSync(process.execPath, [await bundledCli('nin-sdk'), 'info', counter.out], { encoding: 'utf8' });
    assert.equal(info.status, 0, info.stderr);
    assert.match(info.stdout, /\ntaken from: {4}checkpoint\['model_state'\]\nignored: {7}collections\.Counter\n/);
    const loss = convert('criterion-pickled.pth');
    assert.equal(loss.code, 0, loss.stderr);
    assert.deepEqual(loss.lines.slice(0, 2), [
      "nin-convert: took checkpoint['state_dict']",
      'nin-convert: ignored: torch.nn.modules.loss.CrossEntropyLoss, argparse.Namespace, numpy.core.multiarray.scalar',
    ]);
  });

  test('torch.save(model): the pickled module is read, never constructed', () => {
    const result = convert('whole-module.pth');
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.lines, ['nin-convert: took checkpoint (a pickled __main__.NIN module)', ...CIFAR10_TAKEN]);
  });

  test('two state_dicts that fit: refused naming each with its --key, exit 1, nothing written; --key converts', () => {
    const refused = convert('model-and-ema.pth');
    assert.deepEqual(
      [refused.code, refused.stderr],
      [
        1,
        "nin-convert: 2 state_dicts in this checkpoint fit: checkpoint['model'] (cifar10, --key model), " +
          "checkpoint['ema'] (cifar10, --key ema); pick one with --key\n",
      ],
    );
    assert.equal(existsSync(refused.out), false);
    const picked = convert('model-and-ema.pth', '--key', 'ema');
    assert.equal(picked.code, 0, picked.stderr);
    assert.deepEqual(picked.lines, ["nin-convert: took checkpoint['ema']", ...CIFAR10_TAKEN]);
  });

  test('a LeakyReLU net: the ReLU taken is said; --print-arch, edited, converts it as PyTorch computes it', () => {
    const asRelu = convert('leaky-cifar.pth');
    assert.equal(asRelu.code, 0, asRelu.stderr);
    assert.ok(asRelu.lines.includes(CIFAR10_TAKEN[0]!), asRelu.stderr);

    const printed = run(join(CONTAINERS, 'leaky-cifar.pth'), '--print-arch');
    assert.equal(printed.code, 0, printed.stderr);
    const json = JSON.parse(printed.stdout) as { layers: Array<{ kind: string }> };
    const edited = join(dir, 'leaky.json');
    writeFileSync(
      edited,
      JSON.stringify({
        ...json,
        id: 'leaky-cifar-nin',
        layers: json.layers.map((layer) =>
          layer.kind === 'relu' ? { ...layer, kind: 'leakyRelu', slope: 0.01 } : layer,
        ),
      }),
    );
    const leaky = convert('leaky-cifar.pth', '--arch', edited);
    assert.equal(leaky.code, 0, leaky.stderr);
    assert.deepEqual(leaky.lines.slice(0, 1), ["nin-convert: took checkpoint['state_dict']"]);
    assert.ok(!leaky.lines.some((line) => line.startsWith('nin-convert: assumed: activation:')), leaky.stderr);
    const ops = readOnnx(readFileSync(leaky.out)).graph.nodes.map((node) => node.opType);
    assert.equal(ops.filter((op) => op === 'LeakyRelu').length, 9);
    assert.equal(ops.filter((op) => op === 'Relu').length, 0);
  });

  test('--preprocessing on a checkpoint: recorded as given, and no longer said to be assumed', () => {
    const spec = join(dir, 'cifar-normalised.json');
    const given = { ...CIFAR10_COPIED_STD_PREPROCESSING };
    writeFileSync(spec, JSON.stringify(given));
    const assumed = convert('yang-cifar-normalised.pth.tar');
    assert.ok(
      assumed.lines.includes(
        "nin-convert: assumed: preprocessing: resize to 32, RGB, ×1/255, mean 0 0 0, std 1 1 1 (the yangqiongyongyu-nin entry's; " +
          'not in a checkpoint): override with --preprocessing <spec.json>',
      ),
      assumed.stderr,
    );
    const result = convert('yang-cifar-normalised.pth.tar', '--preprocessing', spec);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(!result.lines.some((line) => line.startsWith('nin-convert: assumed: preprocessing:')), result.stderr);
    const metadata = readOnnxMetadata(decodeOnnx(readFileSync(result.out))).metadata;
    assert.deepEqual(JSON.parse(metadata['nin.preprocessing']!), given);
  });
});
