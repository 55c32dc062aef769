/**
 * Fine-tuning the embedded default model (models/nin-cifar10.onnx, 85.6 % on CIFAR-10's test set) as a user would,
 * on ../shared/data's CIFAR-10 tars (skipped without them outside CI, failed in CI): a stratified --limit subset
 * of the class-sorted training tar keeps its accuracy on the full test set, and folders of other classes (`plane/`,
 * `toad/`) make a 2-class model that labels held-out images with those names and that the other commands take.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readLabeledImages } from '../../src/datasets/node/dataset.js';
import { bundledCli } from '../support/cli.js';
import { ROOT } from '../support/fixtures.js';
import {
  CIFAR10_TEST_TAR,
  CIFAR10_TRAIN_TAR,
  cifarTestTarMissing,
  cifarTrainTarMissing,
} from '../support/prerequisites.js';

const MODEL = join('models', 'nin-cifar10.onnx');
const skip = cifarTrainTarMissing() ?? cifarTestTarMissing();
const ACCURACY = /^Test set: Average loss: \d+\.\d{4}, Accuracy: (\d+)\/(\d+) \((\d+\.\d{2})%\)$/m;

async function nin(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const result = spawnSync(process.execPath, [await bundledCli('nin-sdk'), ...args], { encoding: 'utf8', cwd: ROOT });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `nin-sdk eval`'s accuracy (%) of `model` on `data`, and the count of images it read. */
async function evaluate(data: string, model: string): Promise<{ accuracy: number; count: number }> {
  const { code, stdout, stderr } = await nin('eval', data, '--model', model);
  assert.equal(code, 0, stderr);
  const match = ACCURACY.exec(stdout);
  assert.ok(match, stdout);
  return { accuracy: Number(match[3]), count: Number(match[2]) };
}

/** Images of the named classes of a CIFAR-10 tar, in `<folder>/` folders (at most `perClass` each, in tar order). */
async function classFolders(
  tar: string,
  root: string,
  folderOf: Readonly<Record<string, string>>,
  perClass: number,
): Promise<void> {
  const taken = new Map<string, number>();
  for await (const image of readLabeledImages(tar)) {
    const folder = folderOf[image.className];
    const n = taken.get(image.className) ?? 0;
    if (folder === undefined || n >= perClass) continue;
    taken.set(image.className, n + 1);
    mkdirSync(join(root, folder), { recursive: true });
    writeFileSync(join(root, folder, image.name.split('/').pop()!), image.bytes);
  }
}

describe('nin-sdk train --from the default model on CIFAR-10', { skip }, () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'nin-cifar-fine-tune-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('--limit 500 of the class-sorted training tar: 50 images a class, and ≥ 84 % kept on the full test set', async (t) => {
    const run = join(root, 'limit');
    const trained = await nin(
      'train',
      '--data',
      CIFAR10_TRAIN_TAR,
      '--from',
      MODEL,
      '--limit',
      '500',
      '--val',
      '0.1',
      '--epochs',
      '2',
      '--out',
      run,
    );
    assert.equal(trained.code, 0, trained.stderr);
    assert.match(
      trained.stderr,
      // The embedded model records its layers (nin.architecture): nothing to assume about them.
      /^nin-sdk train: \S+train\.tar: 500 images of 10 classes, a stratified sample \((decoded|from the cache) in \d+\.\d s\)\n/,
    );
    assert.ok(
      trained.stderr.includes(
        '\nnin-sdk train: training images by class: airplane 50, automobile 50, bird 50, cat 50, deer 50, dog 50, ' +
          'frog 50, horse 50, ship 50, truck 50\n' +
          'nin-sdk train: --val 0.1: 50 images held out for validation (stratified), 450 images to train on; ' +
          'the best epoch is chosen by validation accuracy\n' +
          'nin-sdk train: new run: cifar10 NIN 192,160,96,192,192,192,192,192,10, sgd, batch 128, 2 epochs',
      ),
      trained.stderr,
    );
    assert.doesNotMatch(trained.stderr, /warning|classifier/);
    const evaluations = trained.stdout.split('\n').filter((line) => /^(Validation|Test) set:/.test(line));
    assert.equal(evaluations.length, 2);
    assert.ok(evaluations.every((line) => /^Validation set: Average loss: \d+\.\d{4}, Accuracy: \d+\/50 /.test(line)));
    assert.match(trained.stderr, /\nnin-sdk train: done: best validation accuracy \d+\.\d\d%; /);

    const { accuracy, count } = await evaluate(CIFAR10_TEST_TAR, join(run, 'best.onnx'));
    t.diagnostic(`fine-tuned on 450 of --limit 500: ${accuracy}% of ${count} test images (the default model: 85.61%)`);
    assert.equal(count, 10_000);
    assert.ok(accuracy >= 84, `${accuracy}% on the test set`);
  });

  it('folders plane/ and toad/ (airplanes and frogs): a new 2-class classifier, ≥ 90 % on held-out images', async (t) => {
    const train = join(root, 'plane-toad', 'train');
    const heldOut = join(root, 'plane-toad', 'held-out');
    await classFolders(CIFAR10_TRAIN_TAR, train, { airplane: 'plane', frog: 'toad' }, 300);
    await classFolders(CIFAR10_TEST_TAR, heldOut, { airplane: 'plane', frog: 'toad' }, 1000);
    const run = join(root, 'plane-toad', 'run');
    const trained = await nin('train', '--data', train, '--from', MODEL, '--val', '0.1', '--epochs', '2', '--out', run);
    assert.equal(trained.code, 0, trained.stderr);
    assert.ok(
      trained.stderr.includes(
        `nin-sdk train: --data's class folders are not all labels of ${MODEL} (airplane, automobile, bird, cat, deer, …): ` +
          'its classifier classifier.20 is replaced by a new one, freshly initialised, for 2 classes labelled as the ' +
          'folders, sorted: plane, toad\n' +
          'nin-sdk train: training images by class: plane 300, toad 300\n' +
          'nin-sdk train: --val 0.1: 60 images held out for validation (stratified), 540 images to train on; the best ' +
          'epoch is chosen by validation accuracy\n' +
          'nin-sdk train: new run: cifar10 NIN 192,160,96,192,192,192,192,192,2, sgd, batch 128, 2 epochs',
      ),
      trained.stderr,
    );
    const best = join(run, 'best.onnx');
    const { accuracy, count } = await evaluate(heldOut, best);
    t.diagnostic(`plane/toad: ${accuracy}% of ${count} held-out test images`);
    assert.equal(count, 2000);
    assert.ok(accuracy >= 90, `${accuracy}% on held-out images`);

    // An ordinary model: its labels and the default model's preprocessing in the metadata, for every command.
    const info = await nin('info', best);
    assert.match(info.stdout, /\nlabels: +plane, toad\n/);
    assert.equal(
      /\npreprocessing: .*\n/.exec(info.stdout)?.[0],
      /\npreprocessing: .*\n/.exec((await nin('info', MODEL)).stdout)?.[0],
    );
    const predicted = await nin('predict', join(heldOut, 'toad', '0000.jpg'), '--model', best, '--json');
    assert.equal(predicted.code, 0, predicted.stderr);
    const { results } = JSON.parse(predicted.stdout) as {
      results: { predictions: { label: string; probability: number }[] }[];
    };
    const predictions = results[0]!.predictions;
    assert.deepEqual(predictions.map((p) => p.label).sort(), ['plane', 'toad']);
    assert.ok(Math.abs(predictions[0]!.probability + predictions[1]!.probability - 1) < 1e-5);
    const triton = join(root, 'plane-toad', 'triton');
    const exported = await nin('export', 'triton', best, triton, '--name', 'plane_toad');
    assert.equal(exported.code, 0, exported.stderr);
    assert.equal(readFileSync(join(triton, 'plane_toad', 'labels.txt'), 'utf8'), 'plane\ntoad\n');
    const int8 = join(root, 'plane-toad', 'int8.onnx');
    const quantized = await nin('quantize', best, int8, '--calibrate', train, '--images', '32');
    assert.equal(quantized.code, 0, quantized.stderr);
    assert.match((await nin('info', int8)).stdout, /\nlabels: +plane, toad\n/);
  });
});
