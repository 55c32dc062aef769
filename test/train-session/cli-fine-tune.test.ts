/**
 * `nin-sdk train --from` on a converted architecture that is not a NIN family: rasbt's NIN with BatchNorm, trained
 * as its folded convs, and d2l's 1-channel NiN, trained on grey images. The loss on its own training
 * images falls; best.onnx computes what the trained parameters compute. (That grey batches equal PyTorch's tensors
 * is test/train-data/grey-dataset.test.ts.)
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { architectureById, architectureToJson } from '../../src/convert/index.js';
import { readCheckpoint } from '../../src/formats/pth/index.js';
import { labelFolderName } from '../../src/train/data/label-folders.js';
import { decodeTrainingCheckpoint } from '../../src/train/checkpoint/format.js';
import { initialModelCheckpoint, type ArchitectureSpec } from '../../src/train/checkpoint/state.js';
import { TrainingSession } from '../../src/train/training-session.js';
import { FIXTURES, ROOT } from '../support/fixtures.js';
import { sourceCli } from '../support/source-cli.js';
import { cifarFolders } from './cifar-folders.js';
import { pseudoRandom } from './helpers.js';

const CLI = [...sourceCli('nin-sdk'), 'train'];
const START = join(FIXTURES, 'arch', 'rasbt-nin-batchnorm-small.pth');
const D2L_START = join(FIXTURES, 'arch', 'd2l-class-nin-small.pth');
const TEST_LOSS = /^Test set: Average loss: (\d+\.\d{4}), Accuracy: \d+\/\d+ \(\d+\.\d{2}%\)$/;

/** The checkpoint names the registry entry and stores it whole (as --arch JSON), as it is in the registry now. */
function assertStoredEntry(spec: ArchitectureSpec, id: string): void {
  assert.ok('registry' in spec && spec.architecture !== undefined, JSON.stringify(spec));
  assert.equal(spec.registry, id);
  assert.deepEqual(architectureToJson(spec.architecture), architectureToJson(architectureById(id)!));
}

function testLosses(stdout: string): number[] {
  return stdout.split('\n').flatMap((line) => (TEST_LOSS.test(line) ? [Number(TEST_LOSS.exec(line)![1])] : []));
}

function train(...args: string[]) {
  const result = spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8', cwd: ROOT });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('nin-sdk train --from a converted registry architecture', () => {
  let data: Awaited<ReturnType<typeof cifarFolders>>;
  before(async () => {
    data = await cifarFolders(10, 0);
  });
  after(() => rmSync(data.root, { recursive: true, force: true }));

  it('fine-tunes rasbt’s BatchNorm NIN as folded convs: the loss falls, best.onnx is the trained model', async () => {
    const out = join(data.root, 'rasbt');
    const args = ['--data', data.train, '--test', data.train, '--from', START, '--epochs', '4', '--batch', '20'];
    const run = train(...args, '--lr', '0.01', '--out', out);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /new run: rasbt-nin-batchnorm, sgd, batch 20, 4 epochs \(step schedule\)/);
    assert.ok(
      run.stderr.includes(
        `${START}: BatchNorm is folded into the convolutions before it; the run's .pth and .onnx hold the folded ` +
          'model (conv weights and biases), not the original BatchNorm layout\n',
      ),
      run.stderr,
    );
    const losses = testLosses(run.stdout);
    assert.equal(losses.length, 4, run.stdout);
    assert.ok(losses[3]! < 0.97 * losses[0]!, `loss on its own training images falls: ${losses.join(', ')}`);

    // Its best.onnx starts a further fine-tuning, as a NIN's does.
    const again = train(
      '--data',
      data.train,
      '--from',
      join(out, 'best.onnx'),
      '--epochs',
      '1',
      '--batch',
      '20',
      '--lr',
      '0.01',
      '--out',
      join(data.root, 'again'),
    );
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /new run: rasbt-nin-batchnorm, sgd, batch 20, 1 epoch \(step schedule\)/);

    const saved = decodeTrainingCheckpoint(readFileSync(join(out, 'checkpoint.nintrain')));
    assertStoredEntry(saved.architecture, 'rasbt-nin-batchnorm');
    assert.deepEqual(saved.tensors[0], { name: 'classifier.0.weight', shape: [16, 3, 5, 5] });
    assert.deepEqual(saved.tensors[1], { name: 'classifier.0.bias', shape: [16] }); // the folded BatchNorm's

    // best.onnx (the converter's inference graph of the folded architecture) against best.pth's parameters run
    // through the training session's eval model: two graphs built apart, one computation.
    const best = readCheckpoint(readFileSync(join(out, 'best.pth'))).tensors;
    const parameters = new Map(
      saved.tensors.map((t) => [t.name, { shape: t.shape, data: best.get(t.name)!.data as Float32Array }]),
    );
    const checkpoint = initialModelCheckpoint(saved.architecture, saved.tensors, saved.optimizer, parameters);
    const session = await TrainingSession.fromCheckpoint(checkpoint, { ort, platform: 'node' });
    const onnx = await ort.InferenceSession.create(join(out, 'best.onnx'));
    try {
      const input = new ort.Tensor('float32', pseudoRandom(2 * 3 * 32 * 32, 5), [2, 3, 32, 32]);
      const labels = new ort.Tensor('float32', new Float32Array(20).fill(0.1), [2, 10]);
      const { logits } = await session.runEvalStep({ input, labels });
      const exported = (await onnx.run({ input }))['logits']!.data as Float32Array;
      const scale = Math.max(...Array.from(logits, Math.abs));
      logits.forEach((v, i) =>
        assert.ok(Math.abs(v - exported[i]!) <= 1e-5 * scale, `logit ${i}: ${v} vs ${exported[i]}`),
      );
    } finally {
      await session.release();
      await onnx.release();
    }
  });

  it('fine-tunes d2l’s 1-channel NiN on grey images: the loss falls, best.onnx takes 1×224×224', async () => {
    // Four CIFAR-10 classes as four Fashion-MNIST ones: d2l's labels name the classes, any images will do. The
    // first, T-shirt/top, has its images in T-shirt_top/.
    const fashion = join(data.root, 'fashion');
    const classes = readdirSync(data.train).sort().slice(0, 4);
    ['T-shirt/top', 'Trouser', 'Pullover', 'Dress'].forEach((name, i) =>
      cpSync(join(data.train, classes[i]!), join(fashion, labelFolderName(name)), { recursive: true }),
    );
    assert.deepEqual(readdirSync(fashion).sort(), ['Dress', 'Pullover', 'T-shirt_top', 'Trouser']);
    const out = join(data.root, 'd2l');
    const args = ['--data', fashion, '--test', fashion, '--from', D2L_START, '--epochs', '8', '--batch', '20'];
    const run = train(...args, '--lr', '0.01', '--out', out);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /new run: d2l-nin, sgd, batch 20, 8 epochs \(step schedule\)/);
    const losses = testLosses(run.stdout);
    assert.equal(losses.length, 8, run.stdout);
    assert.ok(losses[7]! < 0.97 * losses[0]!, `loss on its own training images falls: ${losses.join(', ')}`);

    // nin-sdk eval reads the same folders for the model's labels: every image counted, T-shirt_top's too.
    const evaluation = spawnSync(
      process.execPath,
      [...CLI.slice(0, -1), 'eval', fashion, '--model', join(out, 'best.onnx')],
      { encoding: 'utf8', cwd: ROOT },
    );
    assert.equal(evaluation.status, 0, evaluation.stderr);
    assert.match(evaluation.stdout, /^Test set: Average loss: \d+\.\d{4}, Accuracy: \d+\/40 \(\d+\.\d{2}%\)\n/);

    const saved = decodeTrainingCheckpoint(readFileSync(join(out, 'checkpoint.nintrain')));
    assertStoredEntry(saved.architecture, 'd2l-nin');
    assert.equal(saved.progress?.preprocessing.channels, 1);
    assert.deepEqual(saved.tensors[0], { name: '0.0.weight', shape: [8, 1, 11, 11] });
    const onnx = await ort.InferenceSession.create(join(out, 'best.onnx'));
    try {
      const input = new ort.Tensor('float32', pseudoRandom(224 * 224, 7), [1, 1, 224, 224]);
      const { logits } = await onnx.run({ input });
      assert.deepEqual(logits!.dims, [1, 10]);
    } finally {
      await onnx.release();
    }
  });
});
