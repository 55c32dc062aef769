import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { convertCheckpoint } from '../../src/convert/index.js';
import { CHECKPOINTS, ROOT } from '../support/fixtures.js';
import { bundledCli } from '../support/cli.js';

const CLI = await bundledCli('nin-sdk');
const CAT = 'fixtures/images/cat.jpg';
const CIFAR_LABELS = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: ROOT });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface ExplainJson {
  readonly geometry: {
    readonly inputSize: number;
    readonly rows: number;
    readonly columns: number;
    readonly cellStride: number[];
    readonly receptiveField: number[];
    readonly offset: number[];
  };
  readonly predictions: { label: string; probability: number }[];
  readonly logits: Record<string, number>;
  readonly maps: Record<string, number[][]>;
}

/** `explain --json`, with each map's mean checked against its logit (1e-5 relative) and its size against the geometry. */
function explainJson(...args: string[]): ExplainJson {
  const { code, stdout, stderr } = run('explain', ...args, '--json');
  assert.equal(code, 0, stderr);
  assert.equal(stderr, '');
  const json = JSON.parse(stdout) as ExplainJson;
  const labels = Object.keys(json.logits);
  assert.deepEqual(Object.keys(json.maps), labels);
  for (const label of labels) {
    const rows = json.maps[label]!;
    assert.equal(rows.length, json.geometry.rows);
    assert.ok(rows.every((row) => row.length === json.geometry.columns));
    const mean = rows.flat().reduce((a, b) => a + b, 0) / (json.geometry.rows * json.geometry.columns);
    const logit = json.logits[label]!;
    assert.ok(
      Math.abs(mean - logit) <= 1e-5 * Math.max(Math.abs(logit), 1e-6),
      `${label}: its map averages to ${mean}, its logit is ${logit}`,
    );
  }
  return json;
}

const CIFAR_GEOMETRY = {
  inputSize: 32,
  rows: 8,
  columns: 8,
  cellStride: [4, 4],
  receptiveField: [27, 27],
  offset: [-13, -13],
};

describe('nin-sdk explain', () => {
  for (const dtype of ['fp32', 'int8']) {
    test(`--json (${dtype} default model): maps of 8×8 cells that average to the logits within 1e-5 relative`, () => {
      const json = explainJson(CAT, '--dtype', dtype);
      assert.deepEqual(Object.keys(json.logits), CIFAR_LABELS);
      const { inputSize, rows, columns, cellStride, receptiveField, offset } = json.geometry;
      assert.deepEqual({ inputSize, rows, columns, cellStride, receptiveField, offset }, CIFAR_GEOMETRY);
      assert.equal(json.predictions[0]!.label, 'cat');
    });
  }

  test('--json for a converted ImageNet NIN: 1000 maps of 6×6 cells, 32 px apart, averaging to the logits', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'nin-explain-'));
    const model = join(folder, 'imagenet-small.onnx');
    writeFileSync(model, (await convertCheckpoint(readFileSync(join(CHECKPOINTS, 'imagenet-small.pth')))).onnx);
    const json = explainJson(CAT, '--model', model);
    assert.equal(Object.keys(json.maps).length, 1000);
    assert.deepEqual(
      [json.geometry.inputSize, json.geometry.rows, json.geometry.cellStride, json.geometry.receptiveField],
      [224, 6, [32, 32], [195, 195]],
    );
  });

  test('-o writes a PNG of the stated size: one 256-pixel panel, a colour scale and a caption per class', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'nin-explain-'));
    const one = join(folder, 'cat.png');
    const first = run('explain', CAT, '-o', one);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, `${one}: 312×288, cat 99.1 %\n`);
    const meta = await sharp(readFileSync(one)).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 312, 288]);

    const three = join(folder, 'top3.png');
    const second = run('explain', CAT, '--top', '3', '-o', three, '--dtype', 'fp32');
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /^.*top3\.png: 936×288, cat 99\.1 %, dog 0\.9 %, bird 0\.0 %\n$/);
    const { width, height } = await sharp(readFileSync(three)).metadata();
    assert.deepEqual([width, height], [936, 288]);
    // Written whole: no temporary file is left beside the outputs.
    assert.deepEqual(readdirSync(folder).sort(), ['cat.png', 'top3.png']);
  });

  test('--class draws the named class; the panel differs from the top class', () => {
    const folder = mkdtempSync(join(tmpdir(), 'nin-explain-'));
    const out = join(folder, 'dog.png');
    const { code, stdout, stderr } = run('explain', CAT, '--class', 'dog', '-o', out);
    assert.equal(code, 0, stderr);
    assert.equal(stdout, `${out}: 312×288, dog 0.9 %\n`);
  });

  test('bad usage: one line on stderr, exit 2, no stack; a folder that does not exist: exit 1, nothing written', () => {
    const cases: [string[], number, string][] = [
      [[CAT], 2, 'nin-sdk: give -o <out.png> or --json (see nin-sdk --help)\n'],
      [
        [CAT, '--json', '--class', 'dgo'],
        2,
        "nin-sdk: --class should be one of airplane, automobile, bird, cat, deer, dog, frog, horse, ship, truck, got 'dgo' (see nin-sdk --help)\n",
      ],
      [
        [CAT, '--json', '--class', 'cat', '--top', '2'],
        2,
        'nin-sdk: give --class or --top, not both (see nin-sdk --help)\n',
      ],
      [
        [CAT, '--json', '--top', '11'],
        2,
        "nin-sdk: --top must be at most the model's 10 classes, got 11 (see nin-sdk --help)\n",
      ],
      [[CAT, 'second.jpg', '--json'], 2, 'nin-sdk: explain takes one image, got 2 (see nin-sdk --help)\n'],
      [
        [CAT, '-o', '/nonexistent-folder/x.png'],
        1,
        'nin-sdk: cannot write /nonexistent-folder/x.png: no such folder: /nonexistent-folder\n',
      ],
      [['missing.jpg', '--json'], 1, 'nin-sdk: cannot read missing.jpg: no such file\n'],
    ];
    for (const [args, exitCode, line] of cases) {
      const { code, stdout, stderr } = run('explain', ...args);
      assert.equal(stderr, line, args.join(' '));
      assert.equal(code, exitCode, args.join(' '));
      assert.equal(stdout, '');
    }
  });

  test('--scan --json: a scan of windows, labelled so, one class and probability per window', () => {
    const { code, stdout, stderr } = run(
      'explain',
      'fixtures/images/scene-640x480.jpg',
      '--scan',
      '--stride',
      '64',
      '--json',
    );
    assert.equal(code, 0, stderr);
    const json = JSON.parse(stdout) as {
      scan: string;
      window: number;
      stride: number;
      rows: number;
      columns: number;
      labels: string[][];
      probabilities: number[][];
    };
    assert.match(json.scan, /^windows: each cell is one window of the image classified alone/);
    assert.deepEqual([json.window, json.stride, json.rows, json.columns], [32, 64, 8, 10]);
    assert.equal(json.labels.length, 8);
    assert.ok(json.labels.every((row) => row.length === 10 && row.every((l) => CIFAR_LABELS.includes(l))));
    assert.ok(json.probabilities.flat().every((p) => p > 0.1 && p <= 1));
    const refused = run('explain', CAT, '--scan', '-o', 'x.png');
    assert.deepEqual([refused.code, refused.stderr], [2, 'nin-sdk: --scan prints --json only (see nin-sdk --help)\n']);
  });

  test('--help: the usage on stdout, exit 0', () => {
    const { code, stdout } = run('explain', '--help');
    assert.equal(code, 0);
    assert.match(stdout, /^Usage: nin-sdk explain <image> \(-o <out\.png> \| --json\) \[options\]/);
    assert.match(stdout, /27 of 32 pixels/);
  });
});
