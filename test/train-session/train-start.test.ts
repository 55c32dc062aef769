/**
 * Where `nin-sdk train` starts (prepareTraining, the CLI's start without its training loop): what a --from model
 * gives the run (preprocessing, assumptions said, frozen parameters, learning rates), checked against what the
 * converter and the checkpoint say.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  architectureById,
  architectureToJson,
  CIFAR10_LABELS,
  convertCheckpoint,
  validateArchitecture,
} from '../../src/convert/index.js';
import { readCheckpoint } from '../../src/formats/pth/index.js';
import { writeCheckpoint } from '../../src/formats/pth/write/index.js';
import { parseTrainFlags, type TrainFlags } from '../../src/cli/commands/train-options.js';
import { prepareTraining, type TrainStart } from '../../src/cli/commands/train-start.js';
import * as ort from 'onnxruntime-node';
import { readOnnx, writeOnnx } from '../../src/graph/index.js';
import { encodeTrainingCheckpoint } from '../../src/train/checkpoint/format.js';
import { checkpointParameters, initialCheckpoint } from '../../src/train/checkpoint/state.js';
import { runTrainingLoop } from '../../src/train/loop/trainer.js';
import { RunFolder } from '../../src/train/node/run-folder.js';
import { TrainingSession } from '../../src/train/training-session.js';
import { initialParameters, recipeOptimizer } from '../../src/train/index.js';
import { ninParameters } from '../../src/train/nin/architecture.js';
import { FIXTURES } from '../support/fixtures.js';
import type { PreprocessSpec } from '../../src/preprocess/spec.js';
import { cifarFolders } from './cifar-folders.js';
import { assertBitEqual, pseudoRandom, sessionOptions, TINY } from './helpers.js';

const ARCH = join(FIXTURES, 'arch');
const KUANGLIU_FORK = join(ARCH, 'kuangliu-fork-ckpt.pth');
const RASBT = join(ARCH, 'rasbt-nin-batchnorm-small.pth');

describe('nin-sdk train: the start of a run', () => {
  let data: Awaited<ReturnType<typeof cifarFolders>>;
  let runs = 0;
  before(async () => {
    data = await cifarFolders(1, 0);
  });
  after(() => rmSync(data.root, { recursive: true, force: true }));

  /** prepareTraining in a new run folder, with `--data` the ten-image set; the lines it says. */
  async function start(...args: string[]): Promise<TrainStart & { said: string[]; out: string }> {
    const out = join(data.root, `run-${runs++}`);
    const flags = parseTrainFlags(['--data', data.train, '--out', out, ...args]) as TrainFlags;
    const folder = new RunFolder(flags.out);
    await folder.create();
    const said: string[] = [];
    return { ...(await prepareTraining(flags, folder, (line) => said.push(line))), said, out };
  }

  it("a kuangliu/pytorch-cifar checkpoint trains on that script's normalisation, said as nin-convert says it", async () => {
    const run = await start('--from', KUANGLIU_FORK);
    const converted = await convertCheckpoint(readFileSync(KUANGLIU_FORK));
    const assumption =
      "the checkpoint is saved as kuangliu/pytorch-cifar's main.py saves it ({'net': …, 'acc', 'epoch'}): took that " +
      "script's normalisation (mean 0.4914, 0.4822, 0.4465, std 0.2023, 0.1994, 0.201) rather than the cifar10 entry's";
    // Beside it, kind by kind, what the cifar10 entry supplies (activation, pooling, labels): nin-convert's lines,
    // word for word and in its order, first where the weights were taken from.
    assert.deepEqual(
      converted.assumptions.filter((line) => !/^(activation|pooling|labels): /.test(line)),
      [assumption],
    );
    assert.equal(converted.lines[0], "took checkpoint['net']");
    assert.deepEqual(run.said.slice(0, converted.lines.length), converted.lines);
    const { preprocessing } = run.checkpoint.progress;
    assert.deepEqual(preprocessing, converted.metadata.preprocessing);
    assert.deepEqual(
      [preprocessing.mean, preprocessing.std],
      [
        [0.4914, 0.4822, 0.4465],
        [0.2023, 0.1994, 0.201],
      ],
    );
    assert.deepEqual(run.checkpoint.architecture, { family: 'cifar10', widths: [16, 12, 8, 16, 16, 16, 16, 16, 10] });
  });

  it('the same tensors saved bare: the cifar10 entry’s normalisation, said as nin-convert says it', async () => {
    const tensors = new Map<string, { shape: readonly number[]; data: Float32Array }>();
    for (const [key, tensor] of readCheckpoint(readFileSync(KUANGLIU_FORK)).tensors)
      if (tensor.data instanceof Float32Array) tensors.set(key, { shape: tensor.shape, data: tensor.data });
    const bare = join(data.root, 'bare.pth');
    writeFileSync(bare, writeCheckpoint(tensors));
    const run = await start('--from', bare);
    const converted = await convertCheckpoint(readFileSync(bare));
    assert.ok(!converted.lines.some((line) => line.startsWith('took ')));
    assert.deepEqual(run.said.slice(0, converted.lines.length), converted.lines);
    assert.ok(
      run.said.some((line) => line.startsWith('assumed: preprocessing: resize to 32, RGB, ×1/255, mean 0.4914')),
    );
    assert.deepEqual(run.checkpoint.progress.preprocessing.std, [0.247, 0.2435, 0.2616]);
    assert.deepEqual(run.checkpoint.progress.preprocessing, converted.metadata.preprocessing);
  });

  it("nin-convert's reading options: --key picks a dict, --preprocessing and --labels are taken, not assumed", async () => {
    const both = join(FIXTURES, 'containers', 'model-and-ema.pth');
    // Refused as nin-convert refuses it, naming each dict with its --key, the file first.
    await assert.rejects(start('--from', both), {
      name: 'ArchitectureError',
      message:
        `${both}: 2 state_dicts in this checkpoint fit: checkpoint['model'] (cifar10, --key model), ` +
        "checkpoint['ema'] (cifar10, --key ema); pick one with --key",
    });
    const spec = join(data.root, 'spec.json');
    const given: PreprocessSpec = {
      inputSize: 32,
      resizeShorterSide: 32,
      channelOrder: 'RGB',
      scale: 1 / 255,
      mean: [0.5, 0.5, 0.5],
      std: [0.25, 0.25, 0.25],
    };
    writeFileSync(spec, JSON.stringify(given));
    const labelsFile = join(data.root, 'labels.txt');
    const labels = CIFAR10_LABELS.map((name) => name.toUpperCase());
    writeFileSync(labelsFile, labels.join('\n') + '\n');
    const run = await start('--from', both, '--key', 'ema', '--preprocessing', spec, '--labels', labelsFile);
    const converted = await convertCheckpoint(readFileSync(both), {
      key: 'ema',
      preprocessing: given,
      labels,
    });
    assert.equal(converted.lines[0], "took checkpoint['ema']");
    assert.ok(
      !converted.lines.some((line) => /^assumed: (preprocessing|labels):/.test(line)),
      converted.lines.join('\n'),
    );
    assert.deepEqual(run.said.slice(0, converted.lines.length), converted.lines);
    assert.deepEqual(run.checkpoint.progress.preprocessing, given);
    // --data's folders are the given labels' lowercase: the model's classifier is replaced, the folders label it.
    assert.deepEqual(run.checkpoint.progress.labels, CIFAR10_LABELS);
  });

  it('the reading options apply to a PyTorch --from only', async () => {
    assert.throws(() => parseTrainFlags(['--data', data.train, '--key', 'ema']), {
      name: 'UsageError',
      message: "--key says how to read --from's PyTorch checkpoint; a run from scratch has none",
    });
    const onnx = join(data.root, 'fork.onnx');
    writeFileSync(onnx, (await convertCheckpoint(readFileSync(KUANGLIU_FORK))).onnx);
    await assert.rejects(start('--from', onnx, '--arch', 'cifar10'), {
      name: 'UsageError',
      message: `--arch applies to a PyTorch checkpoint; ${onnx} is an ONNX model or a training checkpoint, which records how it reads`,
    });
  });

  it('--from a training checkpoint keeps its frozen parameters frozen: fed, never updated', async () => {
    const names = ninParameters(TINY).map((p) => p.name);
    const frozen = ['classifier.0.weight', 'classifier.0.bias', 'classifier.2.weight'];
    const trainable = names.filter((name) => !frozen.includes(name));
    const saved = initialCheckpoint(
      TINY,
      recipeOptimizer('sgd', trainable, 'classifier.20', 0.1),
      initialParameters(TINY, 'he', 3),
    );
    const file = join(data.root, 'frozen.nintrain');
    writeFileSync(file, encodeTrainingCheckpoint({ ...saved, frozen }));

    const run = await start('--from', file, '--epochs', '1', '--batch', '5');
    assert.ok(
      run.said.includes(
        `${file}: 3 parameters stay frozen, as the checkpoint has them (classifier.0.weight, classifier.0.bias, classifier.2.weight)`,
      ),
      run.said.join('\n'),
    );
    const { checkpoint } = run;
    assert.deepEqual(checkpoint.frozen, frozen);
    assert.deepEqual(checkpoint.optimizer.groups.flatMap((g) => g.parameters).sort(), [...trainable].sort());
    // Two SGD steps: the frozen tensors come out bit for bit as they went in, every other one has moved.
    const session = await TrainingSession.fromCheckpoint(checkpoint, sessionOptions);
    let after;
    try {
      const result = await runTrainingLoop({
        session,
        ort,
        train: run.train,
        progress: checkpoint.progress,
        log: () => undefined,
        onCheckpoint: async (state) => void (after = state),
        onBest: async () => undefined,
      });
      assert.equal(result.steps, 2);
    } finally {
      await session.release();
    }
    const before = checkpointParameters(checkpoint);
    const trained = checkpointParameters(after!);
    for (const name of names) {
      if (frozen.includes(name)) assertBitEqual(trained.get(name)!.data, before.get(name)!.data, name);
      else assert.notDeepEqual(trained.get(name)!.data, before.get(name)!.data, `${name} was trained`);
    }
  });

  /** The ONNX model's bytes with its metadata changed (undefined: the entry removed), written to a file of the run's data. */
  function withMetadata(onnx: Uint8Array, name: string, changes: Record<string, string | undefined>): string {
    const { graph, metadata } = readOnnx(onnx);
    const changed = Object.fromEntries(
      Object.entries({ ...metadata, ...changes }).filter((e): e is [string, string] => e[1] !== undefined),
    );
    const file = join(data.root, name);
    writeFileSync(file, writeOnnx(graph, { metadata: changed }));
    return file;
  }

  /** Logits of the training model the run starts from, and of the ONNX model it started from, on the same images. */
  async function startLogits(run: TrainStart, onnxFile: string): Promise<[Float32Array, Float32Array]> {
    const input = new ort.Tensor('float32', pseudoRandom(2 * 3 * 32 * 32, 7), [2, 3, 32, 32]);
    const labels = new ort.Tensor('float32', new Float32Array(20).fill(0.1), [2, 10]);
    const session = await TrainingSession.fromCheckpoint(run.checkpoint, sessionOptions);
    const onnx = await ort.InferenceSession.create(onnxFile, { intraOpNumThreads: 1 });
    try {
      const { logits } = await session.runEvalStep({ input, labels });
      return [logits, (await onnx.run({ input }))['logits']!.data as Float32Array];
    } finally {
      await session.release();
      await onnx.release();
    }
  }

  it('--from an ONNX model takes the layers it records in nin.architecture, not the registry entry of today', async () => {
    // The cifar10 entry with its first max pool an average pool: what the registry's cifar10 would be had it changed.
    const json = architectureToJson(architectureById('cifar10')!);
    const layers = (json['layers'] as { kind: string }[]).map((l) => ({ ...l }));
    const pool = layers.findIndex((l) => l.kind === 'maxPool');
    layers[pool] = { ...layers[pool]!, kind: 'avgPool', countIncludePad: true } as { kind: string };
    const changed = validateArchitecture({ ...json, layers });
    const converted = await convertCheckpoint(readFileSync(KUANGLIU_FORK), { architecture: changed });
    const file = join(data.root, 'recorded.onnx');
    writeFileSync(file, converted.onnx);

    const run = await start('--from', file);
    assert.deepEqual(
      run.said.filter((line) => line.includes('assumed')),
      [],
    );
    const spec = run.checkpoint.architecture as { registry: string; architecture: { layers: unknown } };
    assert.equal(spec.registry, 'cifar10');
    assert.deepEqual(spec.architecture.layers, changed.layers);
    const [trained, source] = await startLogits(run, file);
    const scale = Math.max(...Array.from(source, Math.abs));
    trained.forEach((v, i) => assert.ok(Math.abs(v - source[i]!) <= 1e-5 * scale, `logit ${i}: ${v} vs ${source[i]}`));

    // An id the registry does not hold: the recorded layers all the same, kept whole.
    const unknown = await convertCheckpoint(readFileSync(KUANGLIU_FORK), {
      architecture: { ...changed, id: 'my-nin' },
    });
    const elsewhere = join(data.root, 'my-nin.onnx');
    writeFileSync(elsewhere, unknown.onnx);
    const custom = (await start('--from', elsewhere)).checkpoint.architecture as { custom: { id: string } };
    assert.equal(custom.custom.id, 'my-nin');
  });

  it('--from an ONNX model whose nin.architecture is unreadable, or does not fit its weights, is refused', async () => {
    const converted = await convertCheckpoint(readFileSync(RASBT));
    const recorded = JSON.parse(converted.metadata.architecture!) as { layers: { kernel?: number }[] };
    const cases: [string, string, string][] = [
      ['not-json.onnx', '{"id": "rasbt-nin-batchnorm", "layers": [', 'nin.architecture: not valid JSON'],
      [
        'bad-layer.onnx',
        JSON.stringify({ ...recorded, layers: [{ ...recorded.layers[0], kernel: 0 }, ...recorded.layers.slice(1)] }),
        'nin.architecture: layers[0].kernel must be a whole number from 1 to 4096, got 0',
      ],
      [
        'misfit.onnx',
        JSON.stringify({ ...recorded, layers: [{ ...recorded.layers[0], kernel: 3 }, ...recorded.layers.slice(1)] }),
        'nin.architecture does not fit its weights: classifier.0.weight has shape [16, 3, 5, 5] but ' +
          'rasbt NiN with BatchNorm (CIFAR-10) expects [out, 3, 3, 3] at layer classifier.0',
      ],
    ];
    for (const [name, text, message] of cases) {
      const file = withMetadata(converted.onnx, name, { 'nin.architecture': text });
      await assert.rejects(start('--from', file), { message: `${file}: ${message}` }, name);
    }
  });

  it('--from an ONNX model whose labels or preprocessing are malformed is refused, never read as other ones', async () => {
    const cases: [string, Record<string, string>, string][] = [
      ['labels-json.onnx', { 'nin.labels': '["a", ' }, 'nin.labels: not valid JSON'],
      ['labels-object.onnx', { 'nin.labels': '{"0": "cat"}' }, 'nin.labels is no JSON array of strings'],
      ['labels-count.onnx', { 'nin.labels': '["cat", "dog"]' }, '2 labels for a model of 10 classes'],
      [
        'preprocessing.onnx',
        { 'nin.preprocessing': '{"inputSize": 32, "resizeShorterSide": 32, "channelOrder": "RGB", "scale": 0}' },
        'nin.preprocessing: preprocessing spec: scale must be a finite non-zero number, got 0',
      ],
    ];
    // A registry architecture's ONNX (rasbt) and a NIN family's (pytorch-nin-cifar10) take different readers.
    for (const checkpoint of [RASBT, join(FIXTURES, 'checkpoints', 'cifar-small.pth')]) {
      const converted = await convertCheckpoint(readFileSync(checkpoint));
      for (const [name, changes, message] of cases) {
        const file = withMetadata(converted.onnx, name, changes);
        await assert.rejects(start('--from', file), { message: `${file}: ${message}` }, `${checkpoint} ${name}`);
      }
    }
  });

  it('--from an ONNX model that records no nin.architecture (older files) takes the registry entry, and says so', async () => {
    const converted = await convertCheckpoint(readFileSync(RASBT));
    const file = withMetadata(converted.onnx, 'old.onnx', { 'nin.architecture': undefined });
    const run = await start('--from', file);
    assert.deepEqual(
      run.said.filter((line) => line.includes('assumed')),
      [
        `assumed: ${file} records no nin.architecture: took the layers of the registry's rasbt-nin-batchnorm entry of today`,
      ],
    );
    const spec = run.checkpoint.architecture as { registry: string };
    assert.equal(spec.registry, 'rasbt-nin-batchnorm');
    const [trained, source] = await startLogits(run, file);
    const scale = Math.max(...Array.from(source, Math.abs));
    trained.forEach((v, i) => assert.ok(Math.abs(v - source[i]!) <= 1e-5 * scale, `logit ${i}: ${v} vs ${source[i]}`));
  });

  it('learning rates: a tenth of the recipe’s when fine-tuning (--from), the recipe’s from scratch, --lr over both', async () => {
    const rates = (run: TrainStart) => ({
      baseLr: run.checkpoint.progress.recipe.baseLr,
      groups: Object.fromEntries(run.checkpoint.optimizer.groups.map((g) => [g.name, g.lr])),
    });
    assert.deepEqual(rates(await start('--from', KUANGLIU_FORK)), {
      baseLr: 0.01,
      groups: { weights: 0.01, biases: 0.02, last_weight: 0.001, last_bias: 0.001 },
    });
    assert.deepEqual(rates(await start('--from', KUANGLIU_FORK, '--optimizer', 'adamw')), {
      baseLr: 1e-4,
      groups: { weights: 1e-4, biases: 2e-4, last_weight: 1e-5, last_bias: 1e-5 },
    });
    assert.deepEqual(rates(await start('--widths', '8,8,8,8,8,8,8,8')), {
      baseLr: 0.1,
      groups: { weights: 0.1, biases: 0.2, last_weight: 0.01, last_bias: 0.01 },
    });
    assert.equal(rates(await start('--from', KUANGLIU_FORK, '--lr', '0.05')).baseLr, 0.05);
  });

  it('--batch-norm: BatchNorms recorded in the checkpoint, their γ and β in a group of their own, never the statistics', async () => {
    const run = await start(
      '--widths',
      '8,8,8,8,8,8,8,8',
      '--batch-norm',
      '--schedule',
      'cosine',
      '--label-smoothing',
      '0.1',
    );
    assert.deepEqual(run.checkpoint.architecture, {
      family: 'cifar10',
      widths: [8, 8, 8, 8, 8, 8, 8, 8, 10],
      batchNorm: true,
    });
    const groups = Object.fromEntries(run.checkpoint.optimizer.groups.map((g) => [g.name, g]));
    assert.deepEqual(
      {
        lr: groups['batchnorm']!.lr,
        weightDecay: groups['batchnorm']!.weightDecay,
        count: groups['batchnorm']!.parameters.length,
      },
      { lr: 0.1, weightDecay: 0, count: 16 },
    );
    const grouped = run.checkpoint.optimizer.groups.flatMap((g) => g.parameters);
    assert.equal(grouped.length, run.checkpoint.tensors.length - 16);
    assert.ok(grouped.every((name) => !/running_(mean|var)$/.test(name)));
    const { recipe } = run.checkpoint.progress;
    assert.deepEqual([recipe.schedule, recipe.epochs, recipe.labelSmoothing], ['cosine', 16, 0.1]);
    const parameters = checkpointParameters(run.checkpoint);
    assert.deepEqual([...parameters.get('classifier.0.bn.weight')!.data], new Array(8).fill(1));
    assert.deepEqual([...parameters.get('classifier.0.bn.running_var')!.data], new Array(8).fill(1));
  });

  it('--batch-norm and --label-smoothing refuse what they cannot do', () => {
    assert.throws(() => parseTrainFlags(['--data', data.train, '--batch-norm', '--from', KUANGLIU_FORK]), {
      name: 'UsageError',
      message: "--batch-norm and --from exclude each other: training from a model keeps the model's layers",
    });
    assert.throws(() => parseTrainFlags(['--data', data.train, '--label-smoothing', '1']), {
      name: 'UsageError',
      message: "--label-smoothing must be a number from 0 up to (not including) 1, e.g. 0.1, got '1'",
    });
  });
});
