/**
 * Weight averaging: averageModels' exact means and refusals, and `nin-sdk average` end to end on tiny NINs given
 * as a .pth, an ONNX model and a training checkpoint, with PyTorch checking the .pth it writes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  architectureById,
  architectureToJson,
  CIFAR10_LABELS,
  convertCheckpoint,
  validateArchitecture,
} from '../../src/convert/index.js';
import {
  architectureFromWidths,
  encodeTrainingCheckpoint,
  exportInferenceOnnx,
  exportPytorchCheckpoint,
  initialCheckpoint,
  initialParameters,
  NIN_CIFAR10,
  recipeOptimizer,
} from '../../src/train/index.js';
import { averageModels, ninModelOf, type NamedModel } from '../../src/train/average.js';
import { ninParameters } from '../../src/train/nin/architecture.js';
import { readTrainingStart } from '../../src/train/training-start.js';
import { checkpointArchitecture } from '../../src/train/checkpoint/state.js';
import { type StateDict } from '../../src/train/export/index.js';
import { FIXTURES, ROOT } from '../support/fixtures.js';
import { torchMissing, TORCH_PYTHON } from '../support/torch.js';
import { assertBitEqual } from './helpers.js';

const CLI = join(ROOT, 'dist', 'src', 'cli', 'nin-sdk.js');
const TINY = architectureFromWidths(NIN_CIFAR10, [8, 8, 8, 8, 8, 8, 8, 8, 10]);
const WIDER = architectureFromWidths(NIN_CIFAR10, [16, 8, 8, 8, 8, 8, 8, 8, 10]);
const TINY_NAME = 'cifar10 NIN 8,8,8,8,8,8,8,8,10';

const weights = (seed: number): StateDict => initialParameters(TINY, 'he', seed);
const named = (source: string, parameters: StateDict, architecture = TINY): NamedModel => ({
  source,
  model: {
    architecture,
    parameters,
    labels: CIFAR10_LABELS,
    preprocessing: NIN_CIFAR10.preprocessing,
  },
});

/** The mean of the seeds' weights, summed in float64 and rounded once to float32. */
function expectedMean(seeds: readonly number[]): Map<string, Float32Array> {
  const models = seeds.map(weights);
  return new Map(
    [...models[0]!.keys()].map((name) => {
      const arrays = models.map((m) => m.get(name)!.data);
      return [name, Float32Array.from(arrays[0]!, (_, i) => arrays.reduce((sum, a) => sum + a[i]!, 0) / arrays.length)];
    }),
  );
}

describe('averageModels', () => {
  it('gives every parameter the float64 mean of the models, rounded once to float32', () => {
    const average = averageModels([named('a', weights(1)), named('b', weights(2)), named('c', weights(3))]);
    const expected = expectedMean([1, 2, 3]);
    assert.deepEqual([...average.parameters.keys()], [...expected.keys()]);
    for (const [name, values] of expected) assertBitEqual(average.parameters.get(name)!.data, values, name);
    assert.equal(average.architecture, TINY);
    assert.equal(average.labels, CIFAR10_LABELS);
  });

  it('leaves its inputs as they were', () => {
    const a = weights(1);
    const before = a.get('classifier.0.weight')!.data.slice();
    averageModels([named('a', a), named('b', weights(2))]);
    assertBitEqual(a.get('classifier.0.weight')!.data, before, 'classifier.0.weight');
  });

  it('refuses fewer than two models, other architectures, labels or preprocessing', () => {
    assert.throws(() => averageModels([named('a', weights(1))]), {
      name: 'RangeError',
      message: 'averaging needs at least 2 models, got 1',
    });
    assert.throws(
      () => averageModels([named('a.pth', weights(1)), named('w.pth', initialParameters(WIDER, 'he', 1), WIDER)]),
      {
        name: 'ArchitectureError',
        message: `w.pth is a cifar10 NIN 16,8,8,8,8,8,8,8,10, a.pth a ${TINY_NAME}: only models of one architecture can be averaged`,
      },
    );
    const renamed = named('r.onnx', weights(2));
    assert.throws(
      () =>
        averageModels([
          named('a.pth', weights(1)),
          { ...renamed, model: { ...renamed.model, labels: CIFAR10_LABELS.map((l) => l.toUpperCase()) } },
        ]),
      {
        name: 'ArchitectureError',
        message: 'r.onnx has other labels than a.pth: only models of the same classes can be averaged',
      },
    );
    const scaled = named('s.onnx', weights(2));
    const preprocessing = { ...scaled.model.preprocessing, mean: [0, 0, 0] as const };
    assert.throws(
      () => averageModels([named('a.pth', weights(1)), { ...scaled, model: { ...scaled.model, preprocessing } }]),
      {
        name: 'ArchitectureError',
        message:
          's.onnx preprocesses its inputs otherwise than a.pth: only models trained on the same inputs can be averaged',
      },
    );
  });
});

describe('nin-sdk average (built CLI)', () => {
  let dir: string;
  const run = (...args: string[]) => {
    const result = spawnSync(process.execPath, [CLI, 'average', ...args], { encoding: 'utf8', cwd: dir });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'nin-sdk-average-'));
    writeFileSync(join(dir, 'a.pth'), exportPytorchCheckpoint(weights(1), { bestAccuracy: 50 }));
    writeFileSync(
      join(dir, 'b.onnx'),
      exportInferenceOnnx(TINY, weights(2), { labels: CIFAR10_LABELS, preprocessing: NIN_CIFAR10.preprocessing }),
    );
    const names = ninParameters(TINY).map((p) => p.name);
    const optimizer = recipeOptimizer('sgd', names, 'classifier.18', 0.1);
    writeFileSync(join(dir, 'c.nintrain'), encodeTrainingCheckpoint(initialCheckpoint(TINY, optimizer, weights(3))));
    writeFileSync(join(dir, 'w.pth'), exportPytorchCheckpoint(initialParameters(WIDER, 'he', 1)));
    writeFileSync(join(dir, 'notes.txt'), 'not a model\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('averages a .pth, an ONNX model and a training checkpoint into an ONNX model', () => {
    const { code, stdout, stderr } = run('a.pth', 'b.onnx', 'c.nintrain', '--out', 'avg.onnx');
    assert.equal(code, 0, stderr);
    assert.equal(stdout, `averaged 3 models (${TINY_NAME}) → avg.onnx\n`);
    const average = readTrainingStart(readFileSync(join(dir, 'avg.onnx')), 'avg.onnx');
    for (const [name, values] of expectedMean([1, 2, 3]))
      assertBitEqual(average.parameters.get(name)!.data, values, name);
    assert.deepEqual(average.labels, CIFAR10_LABELS);
    assert.deepEqual(average.preprocessing, NIN_CIFAR10.preprocessing);
  });

  it("writes a .pth that PyTorch loads with strict=True and that equals torch's own average", (t) => {
    const { code, stderr } = run('a.pth', 'b.onnx', '--out', 'avg.pth');
    assert.equal(code, 0, stderr);
    const missing = torchMissing();
    if (missing !== undefined) return void t.skip(missing);
    writeFileSync(join(dir, 'b.pth'), exportPytorchCheckpoint(weights(2)));
    const python = spawnSync(
      TORCH_PYTHON,
      [join(ROOT, 'test', 'train-session', 'check_average.py'), 'avg.pth', 'a.pth', 'b.pth'],
      { encoding: 'utf8', cwd: dir },
    );
    assert.equal(python.status, 0, python.stderr);
    assert.deepEqual(JSON.parse(python.stdout), { keys: ['state_dict'], dtype: 'torch.float32', maxDifference: 0 });
  });

  it("says what reading a model assumed, as nin-convert does: a kuangliu/pytorch-cifar container's normalisation", async () => {
    const fork = join(FIXTURES, 'arch', 'kuangliu-fork-ckpt.pth');
    const { code, stdout, stderr } = run(fork, fork, '--out', 'fork.onnx');
    assert.equal(code, 0, stderr);
    assert.equal(stdout, 'averaged 2 models (cifar10 NIN 16,12,8,16,16,16,16,16,10) → fork.onnx\n');
    // nin-convert's lines for the same file, word for word: where the weights were, then each assumption.
    const lines = (await convertCheckpoint(readFileSync(fork), { fileName: fork })).lines;
    assert.equal(lines[0], "took checkpoint['net']");
    assert.ok(
      lines.includes(
        "assumed: the checkpoint is saved as kuangliu/pytorch-cifar's main.py saves it ({'net': …, 'acc', 'epoch'}): " +
          "took that script's normalisation (mean 0.4914, 0.4822, 0.4465, std 0.2023, 0.1994, 0.201) rather than the cifar10 entry's",
      ),
    );
    const said = lines.map((line) => `nin-sdk average: ${fork}: ${line}\n`).join('');
    assert.equal(stderr, said + said);
    const average = readTrainingStart(readFileSync(join(dir, 'fork.onnx')), 'fork.onnx');
    assert.deepEqual(average.preprocessing.std, [0.2023, 0.1994, 0.201]);
    rmSync(join(dir, 'fork.onnx'));
  });

  it('reads a NIN that nin-convert wrote (its nin.architecture the family’s), refuses one that records other layers', async () => {
    const fork = readFileSync(join(FIXTURES, 'arch', 'kuangliu-fork-ckpt.pth'));
    const plain = readTrainingStart((await convertCheckpoint(fork)).onnx, 'plain.onnx');
    assert.deepEqual(
      checkpointArchitecture(plain.architecture).convs.map((c) => c.outChannels),
      [16, 12, 8, 16, 16, 16, 16, 16, 10],
    );
    // The cifar10 entry with its first max pool an average pool: a NIN of the family's weights, not of its layers.
    const json = architectureToJson(architectureById('cifar10')!);
    const layers = (json['layers'] as { kind: string }[]).map((l) =>
      l.kind === 'maxPool' ? { ...l, kind: 'avgPool', countIncludePad: true } : l,
    );
    const changed = await convertCheckpoint(fork, { architecture: validateArchitecture({ ...json, layers }) });
    // Training takes the recorded layers (an architecture of their own); averaging, which writes a NIN, refuses them.
    const start = readTrainingStart(changed.onnx, 'changed.onnx');
    assert.ok('registry' in start.architecture);
    assert.equal(start.architecture.architecture?.layers[6]?.kind, 'avgPool');
    assert.throws(() => ninModelOf(start, 'changed.onnx'), {
      name: 'ArchitectureError',
      message:
        "changed.onnx: its layers are other than today's cifar10 entry's: nin-sdk average takes the pytorch-nin entries (cifar10, imagenet) as the registry has them",
    });
  });

  it('refuses bad calls with exact messages and writes nothing', () => {
    const files = readdirSync(dir).sort();
    assert.deepEqual(run('a.pth', '--out', 'x.onnx'), {
      code: 2,
      stdout: '',
      stderr: 'nin-sdk: average needs at least 2 models, got 1 (see nin-sdk --help)\n',
    });
    assert.deepEqual(run('a.pth', 'b.onnx'), {
      code: 2,
      stdout: '',
      stderr: 'nin-sdk: average needs --out <file.onnx|file.pth> (see nin-sdk --help)\n',
    });
    assert.deepEqual(run('a.pth', 'b.onnx', '--out', 'x.txt'), {
      code: 2,
      stdout: '',
      stderr: 'nin-sdk: --out x.txt: should end in .onnx or .pth (see nin-sdk --help)\n',
    });
    // Each model read says its lines (took, assumed) as nin-convert does; the refusal is the last line.
    const refused = (result: { code: number | null; stdout: string; stderr: string }) => {
      const lines = result.stderr.trimEnd().split('\n');
      assert.ok(
        lines.slice(0, -1).every((line) => /^nin-sdk average: [aw]\.pth: (took|assumed: )/.test(line)),
        result.stderr,
      );
      return { code: result.code, stdout: result.stdout, refusal: lines.at(-1) };
    };
    assert.deepEqual(refused(run('a.pth', 'w.pth', '--out', 'x.onnx')), {
      code: 1,
      stdout: '',
      refusal: `nin-sdk: w.pth is a cifar10 NIN 16,8,8,8,8,8,8,8,10, a.pth a ${TINY_NAME}: only models of one architecture can be averaged`,
    });
    assert.deepEqual(refused(run('a.pth', 'missing.pth', '--out', 'x.onnx')), {
      code: 1,
      stdout: '',
      refusal: 'nin-sdk: no such file: missing.pth',
    });
    assert.deepEqual(refused(run('a.pth', 'notes.txt', '--out', 'x.onnx')), {
      code: 1,
      stdout: '',
      refusal:
        'nin-sdk: notes.txt: not a PyTorch checkpoint: expected a zip archive or a legacy pickle stream (magic 0x1950a86a20f9469cfc6c), got bytes 6e 6f 74 20 …',
    });
    assert.throws(
      () =>
        ninModelOf(
          readTrainingStart(readFileSync(join(FIXTURES, 'arch', 'nin_cifar100-small.pth')), 'nin_cifar100-small.pth'),
          'nin_cifar100-small.pth',
        ),
      {
        name: 'ArchitectureError',
        message:
          'nin_cifar100-small.pth is a pytorchcv-nin-cifar100 model: nin-sdk average takes the pytorch-nin entries (cifar10, imagenet) only',
      },
    );
    assert.deepEqual(readdirSync(dir).sort(), files);
    assert.equal(existsSync(join(dir, 'x.onnx')), false);
  });
});
