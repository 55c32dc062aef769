/**
 * `nin-sdk train` end to end on a few hundred CIFAR-10 images and a NIN of width 8: the log lines, the run folder,
 * best.onnx for the SDK, best.pth for our reader and for PyTorch, Ctrl-C and resume, and the errors.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { readCheckpoint } from '../../src/formats/pth/index.js';
import { loadClassifier } from '../../src/node/classify.js';
import { decodeTrainingCheckpoint, encodeTrainingCheckpoint } from '../../src/train/index.js';
import { checkpointParameters } from '../../src/train/checkpoint/state.js';
import { CHECKPOINTS, FIXTURES, ROOT } from '../support/fixtures.js';
import { sourceCli } from '../support/source-cli.js';
import { torchMissing, TORCH_PYTHON } from '../support/torch.js';
import { cifarFolders } from './cifar-folders.js';
import { assertBitEqual, pseudoRandom } from './helpers.js';

const CLI = [...sourceCli('nin-sdk'), 'train'];
const TINY = ['--widths', '8,8,8,8,8,8,8,8', '--init', 'he', '--schedule', 'linear'];
const TRAIN_LINE = /^Train Epoch: \d+ \[\d+\/\d+ \(\d+%\)\]\tLoss: \d+\.\d{6}\tLR: \d\.\d+(e-\d\d)?$/;
const TEST_LINE = /^Test set: Average loss: \d+\.\d{4}, Accuracy: \d+\/\d+ \(\d+\.\d{2}%\)$/;

/** The `Test set:` lines' average loss and accuracy (%), one per epoch. */
function testSet(stdout: string): { loss: number; accuracy: number }[] {
  return stdout
    .split('\n')
    .filter((line) => TEST_LINE.test(line))
    .map((line) => ({
      loss: Number(/Average loss: ([\d.]+)/.exec(line)![1]),
      accuracy: Number(/\(([\d.]+)%\)$/.exec(line)![1]),
    }));
}

function train(...args: string[]) {
  const result = spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8', cwd: ROOT });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('nin-sdk train', () => {
  let data: Awaited<ReturnType<typeof cifarFolders>>;
  before(async () => {
    data = await cifarFolders(20, 5);
  });
  after(() => rmSync(data.root, { recursive: true, force: true }));
  const out = (name: string): string => join(data.root, name);

  /**
   * A run folder's best.pth loaded by PyTorch into pytorch-nin-cifar10's own nn.Sequential (check_exported_pth.py),
   * and its logits for a seeded batch of 2 against ONNX Runtime's on best.onnx: the script's report and the largest
   * difference.
   */
  async function comparePytorch(folder: string): Promise<{ keys: string[]; stateDictType: string; worst: number }> {
    const input = pseudoRandom(2 * 3 * 32 * 32, 99, 2);
    const inputFile = join(folder, 'input.f32');
    writeFileSync(inputFile, new Uint8Array(input.buffer));
    const script = join(ROOT, 'test', 'train-session', 'check_exported_pth.py');
    const python = spawnSync(TORCH_PYTHON, [script, join(folder, 'best.pth'), inputFile, '2'], { encoding: 'utf8' });
    assert.equal(python.status, 0, python.stderr);
    const report = JSON.parse(python.stdout) as { keys: string[]; stateDictType: string; logits: number[] };
    const session = await ort.InferenceSession.create(readFileSync(join(folder, 'best.onnx')));
    try {
      const logits = (await session.run({ input: new ort.Tensor('float32', input, [2, 3, 32, 32]) }))['logits']!
        .data as Float32Array;
      return { ...report, worst: Math.max(...report.logits.map((v, i) => Math.abs(v - logits[i]!))) };
    } finally {
      await session.release();
    }
  }

  it('trains two epochs: the log lines, best.onnx for the SDK, best.pth for our reader and PyTorch', async (t) => {
    const { code, stdout, stderr } = train(
      '--data',
      data.train,
      '--test',
      data.test,
      ...TINY,
      '--epochs',
      '2',
      '--batch',
      '32',
      '--threads',
      '2',
      '--out',
      out('run'),
    );
    assert.equal(code, 0, stderr);
    const lines = stdout.split('\n');
    assert.deepEqual(
      lines.map((l) => (TRAIN_LINE.test(l) ? 'train' : TEST_LINE.test(l) ? 'test' : l)),
      ['train', '', 'test', '', 'train', '', 'test', '', ''],
    );
    assert.match(lines[0]!, /^Train Epoch: 1 \[0\/200 \(0%\)\]\tLoss: \d\.\d{6}\tLR: 0\.02857142857142857$/);
    assert.match(
      stderr,
      /new run: cifar10 NIN 8,8,8,8,8,8,8,8,10, sgd, batch 32, 2 epochs \(linear schedule\), on cpu \(2 threads, each on a share of every batch\)\n/,
    );
    assert.match(stderr, /\nnin-sdk train: epoch 1\/2 trained: \d+\.\d images\/s, about \d+ (s|min) to go\n/);
    assert.match(stderr, /\nnin-sdk train: epoch 2\/2 trained: \d+\.\d images\/s, done\n/);
    assert.match(stderr, /\nnin-sdk train: 14 steps, 400 images in \d+\.\d s \(\d+\.\d images\/s\) on cpu\n/);
    assert.equal(readFileSync(join(out('run'), 'train.log'), 'utf8'), stdout);

    const checkpoint = decodeTrainingCheckpoint(readFileSync(join(out('run'), 'checkpoint.nintrain')));
    assert.equal(checkpoint.step, 14);
    assert.equal(checkpoint.progress?.iterator.epoch, 2);
    // The best accuracy kept (and saved in best.pth) is the best of the epochs' logged ones. Whether the run learns
    // is the next test's: two epochs of a width-8 NIN stay at chance.
    const accuracy = checkpoint.progress!.bestAccuracy!;
    assert.ok(
      Math.abs(accuracy - Math.max(...testSet(stdout).map((e) => e.accuracy))) < 0.005,
      `best accuracy ${accuracy}`,
    );

    const classifier = await loadClassifier(join(out('run'), 'best.onnx'));
    try {
      assert.deepEqual(classifier.labels, [
        'airplane',
        'automobile',
        'bird',
        'cat',
        'deer',
        'dog',
        'frog',
        'horse',
        'ship',
        'truck',
      ]);
      // All ten classes: best.onnx's probabilities output is a softmax (sums to 1), ranked best first.
      const ranked = (await classifier.classify(join(FIXTURES, 'images', 'cat.jpg'), { top: 10 })).top;
      assert.deepEqual(ranked.map((p) => p.label).sort(), [...classifier.labels].sort());
      assert.ok(Math.abs(ranked.reduce((sum, p) => sum + p.probability, 0) - 1) < 1e-5);
      assert.ok(ranked.every((p, i) => i === 0 || p.probability <= ranked[i - 1]!.probability));
    } finally {
      await classifier.dispose();
    }

    const pth = readCheckpoint(readFileSync(join(out('run'), 'best.pth')));
    assert.equal(pth.wrapper, 'state_dict');
    assert.equal(pth.extras['best_acc'], accuracy);
    const trained = checkpointParameters(checkpoint);
    assert.deepEqual([...pth.tensors.keys()], [...trained.keys()]);

    const missing = torchMissing();
    if (missing !== undefined) {
      t.skip(missing);
      return;
    }
    const report = await comparePytorch(out('run'));
    assert.deepEqual(report.keys, ['best_acc', 'state_dict']);
    assert.equal(report.stateDictType, 'OrderedDict');
    t.diagnostic(
      `PyTorch on best.pth vs ONNX Runtime on best.onnx: largest logit difference ${report.worst.toExponential(2)}`,
    );
    assert.ok(report.worst <= 1e-5, `logits differ by ${report.worst}`);
  });

  it('--batch-norm: best.pth and best.onnx hold the plain NIN (BatchNorms folded), which PyTorch loads and agrees with', async (t) => {
    const { code, stderr } = train(
      '--data',
      data.train,
      '--test',
      data.test,
      '--widths',
      '8,8,8,8,8,8,8,8',
      '--init',
      'he',
      '--batch-norm',
      '--schedule',
      'cosine',
      '--label-smoothing',
      '0.1',
      '--epochs',
      '1',
      '--batch',
      '32',
      '--out',
      out('batch-norm'),
    );
    assert.equal(code, 0, stderr);
    const checkpoint = decodeTrainingCheckpoint(readFileSync(join(out('batch-norm'), 'checkpoint.nintrain')));
    assert.equal(checkpoint.tensors.length, 8 * 6 + 2);
    const pth = readCheckpoint(readFileSync(join(out('batch-norm'), 'best.pth')));
    assert.deepEqual(
      [...pth.tensors.keys()],
      [0, 2, 4, 8, 10, 12, 16, 18, 20].flatMap((i) => [`classifier.${i}.weight`, `classifier.${i}.bias`]),
    );
    const missing = torchMissing();
    if (missing !== undefined) {
      t.skip(missing);
      return;
    }
    const { worst } = await comparePytorch(out('batch-norm'));
    assert.ok(worst <= 1e-5, `logits differ by ${worst}`);
  });

  it('learns: over six epochs the loss on its own training images falls below chance (ln 10)', () => {
    // Evaluated on the training images themselves, so that 200 images suffice; every number is fixed by the seed.
    const args = ['--widths', '32,24,16,32,32,32,32,32', '--init', 'he', '--schedule', 'linear', '--lr', '0.02'];
    const { code, stdout, stderr } = train(
      '--data',
      data.train,
      '--test',
      data.train,
      ...args,
      '--epochs',
      '6',
      '--batch',
      '20',
      '--out',
      out('learns'),
    );
    assert.equal(code, 0, stderr);
    const losses = testSet(stdout).map((e) => e.loss);
    assert.equal(losses.length, 6);
    assert.ok(losses[5]! < losses[0]! - 0.02 && losses[5]! < Math.log(10) - 0.02, `losses ${losses.join(', ')}`);
  });

  it('Ctrl-C saves a checkpoint and exits 130; the same command resumes to the uninterrupted result, bit for bit', async () => {
    const args = (name: string) => [
      '--data',
      data.train,
      ...TINY,
      '--epochs',
      '6',
      '--batch',
      '10',
      '--keep-epochs',
      '--out',
      out(name),
    ];
    const whole = train(...args('whole'));
    assert.equal(whole.code, 0, whole.stderr);

    const interrupted = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [...CLI, ...args('parts')], { cwd: ROOT });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => {
        if (stdout === '') child.kill('SIGINT');
        stdout += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    assert.equal(interrupted.code, 130, interrupted.stderr);
    assert.match(interrupted.stderr, /stopping after this batch to save a checkpoint/);
    assert.match(interrupted.stderr, /stopped at epoch \d; run the same command to resume from /);

    const resumed = train(...args('parts'));
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, /resuming .*checkpoint\.nintrain at epoch \d, image \d+, step [1-9]\d*/);
    assert.equal(interrupted.stdout + resumed.stdout, whole.stdout);
    const a = decodeTrainingCheckpoint(readFileSync(join(out('whole'), 'checkpoint.nintrain')));
    const b = decodeTrainingCheckpoint(readFileSync(join(out('parts'), 'checkpoint.nintrain')));
    assert.equal(b.step, a.step);
    assertBitEqual(b.parameters, a.parameters, 'parameters');
    assertBitEqual(b.optimizerState['momentum_buffer']!, a.optimizerState['momentum_buffer']!, 'momentum buffers');
    assert.deepEqual(readFileSync(join(out('parts'), 'best.pth')), readFileSync(join(out('whole'), 'best.pth')));
    // --keep-epochs: every epoch's weights, the same after an interruption, the last equal to the final parameters.
    const epochFiles = (name: string): string[] =>
      readdirSync(out(name))
        .filter((f) => f.startsWith('epoch-'))
        .sort();
    assert.deepEqual(epochFiles('whole'), [
      'epoch-1.pth',
      'epoch-2.pth',
      'epoch-3.pth',
      'epoch-4.pth',
      'epoch-5.pth',
      'epoch-6.pth',
    ]);
    assert.deepEqual(epochFiles('parts'), epochFiles('whole'));
    for (const file of epochFiles('whole'))
      assert.deepEqual(readFileSync(join(out('parts'), file)), readFileSync(join(out('whole'), file)), file);
    const last = readCheckpoint(readFileSync(join(out('whole'), 'epoch-6.pth')));
    for (const [name, tensor] of checkpointParameters(a))
      assertBitEqual(last.tensors.get(name)!.data as Float32Array, tensor.data, `epoch-6.pth ${name}`);

    const conflicting = train(...args('parts'), '--batch', '20');
    assert.deepEqual(conflicting, {
      code: 2,
      stdout: '',
      stderr: `nin-sdk: --batch 20 differs from the run saved in ${join(out('parts'), 'checkpoint.nintrain')} (10): resume without it, or choose another --out (see nin-sdk --help)\n`,
    });
  });

  it('fine-tunes from a PyTorch checkpoint and from an ONNX model', () => {
    const startModel = join(CHECKPOINTS, 'cifar-small.pth');
    const fromPthArgs = [
      '--data',
      data.train,
      '--from',
      startModel,
      '--epochs',
      '1',
      '--batch',
      '50',
      '--lr',
      '0.01',
      '--out',
      out('from-pth'),
    ];
    const fromPth = train(...fromPthArgs);
    assert.equal(fromPth.code, 0, fromPth.stderr);
    assert.match(
      fromPth.stderr,
      /new run: cifar10 NIN 32,24,16,32,32,32,32,32,10, sgd, batch 50, 1 epoch \(step schedule\)/,
    );
    assert.match(fromPth.stdout, /^Train Epoch: 1 \[0\/200 \(0%\)\]\tLoss: \d\.\d{6}\tLR: 0\.02\n$/);
    const { recipe } = decodeTrainingCheckpoint(readFileSync(join(out('from-pth'), 'checkpoint.nintrain'))).progress!;
    assert.equal(recipe.init, 'from');
    assert.equal(recipe.startModelSha256, createHash('sha256').update(readFileSync(startModel)).digest('hex'));

    // The command that started the run resumes it (here: finds it finished); --from naming another model does not.
    const again = train(...fromPthArgs);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, '');
    assert.match(
      again.stderr,
      /from-pth\/checkpoint\.nintrain holds a finished run \(step 4\), nothing to train: cifar10 NIN 32,24,16/,
    );
    assert.doesNotMatch(again.stderr, /steps, \d+ images in/);
    assert.match(again.stderr, /\nnin-sdk train: done; .*from-pth\/best\.onnx, .*from-pth\/best\.pth\n$/);
    const otherModel = join(CHECKPOINTS, 'cifar-small-float16.pth');
    const savedIn = join(out('from-pth'), 'checkpoint.nintrain');
    const withOtherModel = fromPthArgs.map((arg) => (arg === startModel ? otherModel : arg));
    const otherSha256 = createHash('sha256').update(readFileSync(otherModel)).digest('hex');
    assert.deepEqual(train(...withOtherModel), {
      code: 2,
      stdout: '',
      stderr:
        `nin-sdk: --from ${otherModel} differs from the model the run saved in ${savedIn} started from ` +
        `(SHA-256 ${otherSha256.slice(0, 12)}…, not ${recipe.startModelSha256!.slice(0, 12)}…): resume without it, or choose another --out (see nin-sdk --help)\n`,
    });

    // A checkpoint written before the start model was recorded: --from cannot be checked, so it is refused.
    const saved = decodeTrainingCheckpoint(readFileSync(savedIn));
    const { startModelSha256: _recorded, ...olderRecipe } = saved.progress!.recipe;
    writeFileSync(
      savedIn,
      encodeTrainingCheckpoint({ ...saved, progress: { ...saved.progress!, recipe: olderRecipe } }),
    );
    assert.deepEqual(train(...fromPthArgs), {
      code: 2,
      stdout: '',
      stderr: `nin-sdk: --from ${startModel}: the run saved in ${savedIn} does not record which model it started from: resume without it, or choose another --out (see nin-sdk --help)\n`,
    });
    const fresh = train('--data', data.train, ...TINY, '--epochs', '1', '--batch', '50', '--out', out('fresh'));
    assert.equal(fresh.code, 0, fresh.stderr);
    const freshRun = join(out('fresh'), 'checkpoint.nintrain');
    assert.deepEqual(train('--data', data.train, '--from', startModel, '--out', out('fresh')), {
      code: 2,
      stdout: '',
      stderr: `nin-sdk: --from ${startModel}: the run saved in ${freshRun} started from fresh weights (he): resume without it, or choose another --out (see nin-sdk --help)\n`,
    });

    const fromOnnx = train(
      '--data',
      data.train,
      '--from',
      join(out('from-pth'), 'best.onnx'),
      '--epochs',
      '1',
      '--batch',
      '50',
      '--out',
      out('from-onnx'),
    );
    assert.equal(fromOnnx.code, 0, fromOnnx.stderr);
    assert.match(
      fromOnnx.stderr,
      /new run: cifar10 NIN 32,24,16,32,32,32,32,32,10, sgd, batch 50, 1 epoch \(step schedule\)/,
    );
    // The weights fine-tuned above are where this run starts.
    const previous = decodeTrainingCheckpoint(readFileSync(join(out('from-pth'), 'checkpoint.nintrain')));
    const first = readCheckpoint(readFileSync(join(out('from-onnx'), 'best.pth')));
    assert.equal(first.tensors.size, 18);
    assert.notDeepEqual(
      first.tensors.get('classifier.0.weight')!.data,
      checkpointParameters(previous).get('classifier.0.weight')!.data,
    );
  });

  it('errors: one line each, naming what is wrong', () => {
    const usage = (message: string) => ({ code: 2, stdout: '', stderr: `nin-sdk: ${message} (see nin-sdk --help)\n` });
    /** The error line, after the lines that report the data loaded before the problem showed. */
    const lastLine = (result: { code: number | null; stdout: string; stderr: string }) => ({
      ...result,
      stderr: result.stderr.split('\n').at(-2)!,
    });
    assert.deepEqual(train('--epochs', '1'), usage('train needs --data <folder or tar>'));
    assert.deepEqual(
      train('--data', data.train, '--widths', '8,8,x'),
      usage(
        "--widths must be the output channels of the 9 convolutions, or of the first 8, as positive integers separated by commas, got '8,8,x'",
      ),
    );
    assert.deepEqual(
      lastLine(train('--data', data.train, '--widths', '8,8,8,8,8,8,8,8,7', '--out', out('bad-widths'))),
      {
        code: 2,
        stdout: '',
        stderr:
          'nin-sdk: --widths ends in 7 classes, but the data has 10 (airplane, automobile, bird, cat, deer, …) (see nin-sdk --help)',
      },
    );
    assert.deepEqual(
      train('--data', data.train, '--from', join(CHECKPOINTS, 'cifar-small.pth'), '--widths', '8,8,8,8,8,8,8,8'),
      usage("--widths and --from exclude each other: training from a model keeps the model's widths"),
    );
    const missingData = join(data.root, 'no-such-folder');
    assert.deepEqual(train('--data', missingData, '--out', out('missing')), {
      code: 1,
      stdout: '',
      stderr: `nin-sdk: no such file: ${missingData}\n`,
    });
    const otherArch = join(CHECKPOINTS, 'other-arch.pth');
    const notNin = train('--data', data.train, '--from', otherArch, '--out', out('not-nin'));
    assert.equal(notNin.code, 1);
    assert.match(
      notNin.stderr,
      new RegExp(
        `^nin-sdk: ${escapeRegExp(otherArch)}: not a Network-in-Network checkpoint: expected keys of pytorch-nin-cifar10: classifier\\.0\\.weight, .* found conv1\\.weight, bn1\\.weight, bn1\\.bias, bn1\\.running_mean, … \\(20 keys\\)\\. ` +
          'If the keys were renamed, name the architecture with --arch cifar10\\|imagenet\\n$',
      ),
    );
    assert.equal(existsSync(join(out('not-nin'), 'checkpoint.nintrain')), false);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
