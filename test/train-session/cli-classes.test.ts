/**
 * `nin-sdk train` on data that makes a poor classifier, and the flags that help with it, on the repository's CIFAR-10
 * sample (fixtures/images/cifar10-sample.tar, class after class) and a NIN of width 8: --limit's stratified sample,
 * the class counts and warnings, the refusal of one class, --val and its resume, --freeze, and bad usage (exit 2).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeTrainingCheckpoint } from '../../src/train/checkpoint/format.js';
import { bundledCli } from '../support/cli.js';
import { CIFAR10_SAMPLE_TAR, ROOT } from '../support/fixtures.js';
import { cifarFolders } from './cifar-folders.js';

const TINY = ['--widths', '8,8,8,8,8,8,8,8', '--init', 'he', '--schedule', 'linear', '--batch', '16'];
const PREFIX = 'nin-sdk train: ';

async function train(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const result = spawnSync(process.execPath, [await bundledCli('nin-sdk'), 'train', ...args], {
    encoding: 'utf8',
    cwd: ROOT,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The first image of a folder, by name. */
function firstFile(folder: string): string {
  return readdirSync(folder).sort()[0]!;
}

/** The last line of stderr. */
function lastLine(stderr: string): string {
  return stderr.trimEnd().split('\n').at(-1)!;
}

describe('nin-sdk train: classes, subsets, validation', () => {
  let root: string;
  let data: Awaited<ReturnType<typeof cifarFolders>>;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'nin-train-classes-'));
    data = await cifarFolders(10, 5);
  });
  after(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(data.root, { recursive: true, force: true });
  });

  it('--limit draws every class of a class-sorted tar, and says how many of each', async () => {
    const { code, stderr } = await train(
      '--data',
      CIFAR10_SAMPLE_TAR,
      '--limit',
      '40',
      ...TINY,
      '--epochs',
      '1',
      '--out',
      join(root, 'limit'),
    );
    assert.equal(code, 0, stderr);
    assert.match(
      stderr,
      /^nin-sdk train: \S+cifar10-sample\.tar: 40 images of 10 classes, a stratified sample \(decoded in \d+\.\d s\)\n/,
    );
    assert.ok(
      stderr.includes(
        `${PREFIX}training images by class: airplane 4, automobile 4, bird 4, cat 4, deer 4, dog 4, frog 4, horse 4, ship 4, truck 4\n`,
      ),
      stderr,
    );
  });

  it('refuses data of one class unless --allow-one-class, and warns of classes far apart in size', async () => {
    const one = join(root, 'one');
    cpSync(join(data.train, 'airplane'), join(one, 'airplane'), { recursive: true });
    const refused = await train('--data', one, ...TINY, '--epochs', '1', '--out', join(root, 'one-run'));
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /: 10 images of 1 class \(decoded in \d+\.\d s\)\n/);
    assert.equal(
      lastLine(refused.stderr),
      `nin-sdk: the training images are all of one class (airplane): a classifier trained on them can only ever say ` +
        'airplane; give images of more classes, or --allow-one-class (see nin-sdk --help)',
    );
    const allowed = await train(
      '--data',
      one,
      ...TINY,
      '--epochs',
      '1',
      '--allow-one-class',
      '--out',
      join(root, 'one-run'),
    );
    assert.equal(allowed.code, 0, allowed.stderr);

    const unbalanced = join(root, 'unbalanced');
    cpSync(join(data.train, 'airplane'), join(unbalanced, 'airplane'), { recursive: true });
    cpSync(join(data.test, 'bird'), join(unbalanced, 'bird'), { recursive: true });
    rmSync(join(unbalanced, 'bird', firstFile(join(unbalanced, 'bird'))));
    rmSync(join(unbalanced, 'bird', firstFile(join(unbalanced, 'bird'))));
    const warned = await train('--data', unbalanced, ...TINY, '--epochs', '1', '--out', join(root, 'unbalanced-run'));
    assert.equal(warned.code, 0, warned.stderr);
    assert.ok(
      warned.stderr.includes(
        `${PREFIX}training images by class: airplane 10, bird 3\n` +
          `${PREFIX}warning: the largest class has 3.3× the images of the smallest (airplane 10, bird 3): the model ` +
          'will lean towards the larger classes\n',
      ),
      warned.stderr,
    );
  });

  it('--from the default model on two of its classes keeps its classifier, warns of the eight without images; --freeze features', async () => {
    const two = join(root, 'two');
    cpSync(join(data.train, 'airplane'), join(two, 'airplane'), { recursive: true });
    cpSync(join(data.train, 'bird'), join(two, 'bird'), { recursive: true });
    const run = join(root, 'two-run');
    const { code, stderr } = await train(
      '--data',
      two,
      '--from',
      join('models', 'nin-cifar10.onnx'),
      '--freeze',
      'features',
      '--epochs',
      '1',
      '--batch',
      '20',
      '--out',
      run,
    );
    assert.equal(code, 0, stderr);
    assert.ok(
      stderr.includes(
        `${PREFIX}training images by class: airplane 10, automobile 0, bird 10, cat 0, deer 0, dog 0, frog 0, horse 0, ship 0, truck 0\n` +
          `${PREFIX}warning: 8 labels of 10 have no training images (automobile, cat, deer, dog, frog, …): the model learns never to say them\n` +
          `${PREFIX}--freeze features: only the classifier classifier.20 trains; 16 parameters stay as they are\n` +
          `${PREFIX}new run: cifar10 NIN 192,160,96,192,192,192,192,192,10, sgd, batch 20, 1 epoch`,
      ),
      stderr,
    );
    assert.doesNotMatch(stderr, /replaced/);
    const checkpoint = decodeTrainingCheckpoint(readFileSync(join(run, 'checkpoint.nintrain')));
    assert.deepEqual(
      checkpoint.frozen,
      checkpoint.tensors.map((t) => t.name).filter((name) => !name.startsWith('classifier.20.')),
    );
    assert.deepEqual(checkpoint.progress?.labels.length, 10);
    const again = await train(
      '--data',
      two,
      '--from',
      join('models', 'nin-cifar10.onnx'),
      '--freeze',
      'none',
      '--out',
      run,
    );
    assert.equal(again.code, 2);
    assert.match(
      lastLine(again.stderr),
      /--freeze none differs from the run saved in \S+ \(features\): resume without it, or choose another --out/,
    );
  });

  it('--val holds out a stratified split, logged as Validation set, and a resume splits the same way', async () => {
    const run = join(root, 'val-run');
    const first = await train(
      '--data',
      data.train,
      '--val',
      '0.2',
      ...TINY,
      '--epochs',
      '2',
      '--out',
      run,
      '--seed',
      '3',
    );
    assert.equal(first.code, 0, first.stderr);
    assert.ok(
      first.stderr.includes(
        `${PREFIX}--val 0.2: 20 images held out for validation (stratified), 80 images to train on; the best epoch is chosen by validation accuracy\n`,
      ),
      first.stderr,
    );
    const lines = first.stdout.split('\n').filter((line) => /set: /.test(line));
    assert.equal(lines.length, 2);
    assert.ok(
      lines.every((line) => /^Validation set: Average loss: \d+\.\d{4}, Accuracy: \d+\/20 \(\d+\.\d\d%\)$/.test(line)),
      lines.join('\n'),
    );
    assert.match(first.stderr, /\nnin-sdk train: done: best validation accuracy \d+\.\d\d%; /);
    const conflicting = await train('--data', data.train, '--val', '0.3', '--out', run);
    assert.equal(conflicting.code, 2);
    assert.match(lastLine(conflicting.stderr), /--val 0\.3 differs from the run saved in \S+ \(0\.2\)/);
  });

  it('refuses what cannot be, as usage (exit 2)', async () => {
    const cases: [string[], string][] = [
      [
        ['--val', '0.1', '--test', data.test],
        '--val and --test exclude each other: the best epoch is chosen on one of them',
      ],
      [['--val', '0.7'], "--val must be a fraction above 0 and at most 0.5, e.g. 0.1, got '0.7'"],
      [
        ['--freeze', 'features'],
        '--freeze applies to a run --from a trained model; fresh weights have nothing to keep',
      ],
      [
        ['--freeze', 'most', '--from', join('models', 'nin-cifar10.onnx')],
        "--freeze should be one of features, none, got 'most'",
      ],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await train('--data', data.train, ...args, '--out', join(root, 'refused'));
      assert.equal(code, 2, stderr);
      assert.equal(lastLine(stderr), `nin-sdk: ${message} (see nin-sdk --help)`);
    }
  });
});
