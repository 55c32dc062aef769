import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { FIXTURES, ROOT } from '../support/fixtures.js';
import { bundledCli } from '../support/cli.js';
import { greyManifest } from '../preprocess/grey-reference.js';

const NIN_SDK = await bundledCli('nin-sdk');
const NIN_CONVERT = await bundledCli('nin-convert');
const ARCH = join(FIXTURES, 'arch');
const IMAGES = join(FIXTURES, 'images');
const D2L_ENTRIES = greyManifest.images.filter((e) => e.references.d2l !== undefined);

function run(cli: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: ROOT });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("nin-sdk on registry architectures (built CLIs): d2l's grey NiN, an --arch JSON model", () => {
  const dir = mkdtempSync(join(tmpdir(), 'nin-sdk-arch-'));
  const d2l = join(dir, 'd2l.onnx');
  before(() => {
    const converted = run(NIN_CONVERT, join(ARCH, 'd2l-nin-small.params'), d2l, '--quiet');
    assert.equal(converted.code, 0, converted.stderr);
  });

  test("predict --model d2l.onnx --dtype fp32: PyTorch's probabilities on PIL's grey images, within 1e-4", () => {
    const files = D2L_ENTRIES.map((e) => join(IMAGES, e.file));
    const { code, stdout, stderr } = run(
      NIN_SDK,
      'predict',
      '--model',
      d2l,
      '--dtype',
      'fp32',
      '--json',
      '--top',
      '10',
      ...files,
    );
    assert.equal(code, 0, stderr);
    const doc = JSON.parse(stdout) as {
      family: string;
      results: { file: string; predictions: { label: string; index: number; probability: number }[] }[];
    };
    assert.equal(doc.family, 'd2l-nin');
    let worst = 0;
    doc.results.forEach((result, i) => {
      assert.equal(result.file, files[i]);
      const expected = D2L_ENTRIES[i]!.references.d2l!.d2lProbabilities!;
      assert.equal(result.predictions.length, 10);
      for (const p of result.predictions) worst = Math.max(worst, Math.abs(p.probability - expected[p.index]!));
    });
    assert.ok(worst <= 1e-4, `max |difference| ${worst}`);
  });

  test("eval of a grey model: each image in the folder of PyTorch's top class scores 100 %", () => {
    const dataset = join(dir, 'fashion');
    const labels = JSON.parse(run(NIN_SDK, 'info', d2l, '--json').stdout) as { labels: string[] };
    D2L_ENTRIES.forEach((entry, i) => {
      const probabilities = entry.references.d2l!.d2lProbabilities!;
      const top = probabilities.indexOf(Math.max(...probabilities));
      // Class folder names are the labels; 'T-shirt/top' holds a slash, which a folder name cannot.
      assert.notEqual(labels.labels[top], 'T-shirt/top');
      mkdirSync(join(dataset, labels.labels[top]!), { recursive: true });
      copyFileSync(join(IMAGES, entry.file), join(dataset, labels.labels[top]!, `${i}${entry.file.slice(-4)}`));
    });
    const { code, stdout, stderr } = run(NIN_SDK, 'eval', dataset, '--model', d2l, '--dtype', 'fp32');
    assert.equal(code, 0, stderr);
    assert.match(stdout, new RegExp(`Accuracy: ${D2L_ENTRIES.length}/${D2L_ENTRIES.length} \\(100\\.00%\\)`));
  });

  test('info shows the recorded architecture, one grey channel and the [N, 1, 224, 224] input', () => {
    const { code, stdout } = run(NIN_SDK, 'info', d2l);
    assert.equal(code, 0);
    assert.match(
      stdout,
      // What the conversion took from the entry (activation, pooling, preprocessing, labels) is repeated, kind by kind.
      /\nfamily: {8}d2l-nin\narchitecture: {2}d2l NiN \(Fashion-MNIST\) \[d2l-nin\], 1×224×224 input, 30 layers \(from d2l-ai\/d2l-en chapter_convolutional-modern\/nin .*\)\n(assumed: {7}(activation|pooling|preprocessing|labels): .*\n){4}labels: {8}T-shirt\/top, Trouser,/,
    );
    assert.match(
      stdout,
      /\npreprocessing: grey \(PIL's convert\('L'\)\), shorter side → 224 \(bilinear\), centre crop 224×224, 1 channel, × 1\/255, − mean \[0, 0, 0\], ÷ std \[1, 1, 1\]\n/,
    );
    assert.match(stdout, /\ninput: {9}input float32\[batch, 1, 224, 224\]\n/);
    assert.equal(stdout.match(/^assumed: /gm)?.length, 4);
  });

  test('info repeats what an --arch conversion assumed, and prints the file-given title terminal-safe', () => {
    const arch = JSON.parse(readFileSync(join(ARCH, 'kuangliu-style-nin.json'), 'utf8')) as Record<string, unknown>;
    const archFile = join(dir, 'hostile.json');
    writeFileSync(archFile, JSON.stringify({ ...arch, title: 'NIN \u001b[2J\u001b]0;owned\u0007fork' }));
    const model = join(dir, 'kuangliu.onnx');
    const converted = run(NIN_CONVERT, join(ARCH, 'kuangliu-style-ckpt.pth'), model, '--arch', archFile, '--quiet');
    assert.equal(converted.code, 0, converted.stderr);
    const told = converted.stderr.split('\n').filter((line) => line.startsWith('nin-convert: assumed: '));
    assert.ok(told.length > 0, converted.stderr);

    const { code, stdout } = run(NIN_SDK, 'info', model);
    assert.equal(code, 0);
    assert.ok(
      !stdout.includes('\u001b') && !stdout.includes('\u0007'),
      'no raw control character reaches the terminal',
    );
    assert.match(
      stdout,
      /\narchitecture: {2}NIN \\u001b\[2J\\u001b\]0;owned\\u0007fork \[kuangliu-style-nin\], 3×32×32 input, /,
    );
    const shown = stdout.split('\n').filter((line) => line.startsWith('assumed:       '));
    assert.deepEqual(
      shown.map((line) => line.slice('assumed:       '.length)),
      told.map((line) => line.slice('nin-convert: assumed: '.length)),
    );
    const json = JSON.parse(run(NIN_SDK, 'info', model, '--json').stdout) as { assumptions: string[] };
    assert.deepEqual(
      json.assumptions,
      shown.map((line) => line.slice('assumed:       '.length)),
    );
  });
});
