/**
 * Checkpoints saved the ways training scripts save them (fixtures/make_container_fixtures.py): the state_dict under any
 * key, a whole pickled module, losses, schedulers, Namespaces and numpy scalars beside the weights, misspelt and
 * wrapped keys, another channel count, settings the weights cannot show. Each converts to PyTorch's outputs within
 * 1e-4, with no options or with the one its refusal names.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import {
  convertCheckpoint,
  parseArchitectureJson,
  recognizeArchitecture,
  type ConvertOptions,
} from '../../src/convert/index.js';
import { usedArchitectureJson } from '../../src/convert/used-architecture.js';
import { openCheckpointContents } from '../../src/formats/pth/index.js';
import { readOnnx } from '../../src/graph/index.js';
import { readModelInfo } from '../../src/model/model-info.js';
import { FIXTURES, maxAbsDiff, readFloat32, type ArrayRef } from '../support/fixtures.js';
import { CIFAR10_COPIED_STD_PREPROCESSING } from '../../src/preprocess/spec.js';

const CONTAINERS = join(FIXTURES, 'containers');
const TOLERANCE = 1e-4;

interface ContainerEntry {
  readonly file: string;
  readonly architecture: string;
  readonly input: ArrayRef;
  readonly logits: ArrayRef;
  readonly probabilities: ArrayRef;
}

const manifest = JSON.parse(readFileSync(join(CONTAINERS, 'manifest.json'), 'utf8')) as ContainerEntry[];
const entry = (file: string) => manifest.find((e) => e.file === file)!;
const bytesOf = (file: string) => readFileSync(join(CONTAINERS, file));

/** Largest |Δ| of logits and probabilities from PyTorch's, through ONNX Runtime. */
async function differenceFromPyTorch(
  onnx: Uint8Array,
  reference: ContainerEntry,
): Promise<{ readonly logits: number; readonly probabilities: number }> {
  const session = await ort.InferenceSession.create(onnx);
  try {
    const input = new ort.Tensor('float32', readFloat32(reference.input, CONTAINERS), reference.input.shape);
    const outputs = await session.run({ input });
    return {
      logits: maxAbsDiff(outputs['logits']!.data as Float32Array, readFloat32(reference.logits, CONTAINERS)),
      probabilities: maxAbsDiff(
        outputs['probabilities']!.data as Float32Array,
        readFloat32(reference.probabilities, CONTAINERS),
      ),
    };
  } finally {
    await session.release();
  }
}

/** What each fixture needs beyond the file: nothing, or what its refusal names. */
function optionsFor(file: string): ConvertOptions {
  if (file === 'model-and-ema.pth') return { key: 'ema' };
  if (file === 'leaky-cifar.pth') return { architecture: leakyArchitecture() };
  return {};
}

/** What --print-arch gives for the LeakyReLU checkpoint, edited as its activation line says: relu → leakyRelu 0.01. */
function leakyArchitecture() {
  return parseArchitectureJson(readFileSync(join(CONTAINERS, 'leaky-cifar-nin.json'), 'utf8'), 'leaky-cifar-nin.json');
}

describe('checkpoints as training scripts save them convert and match PyTorch', () => {
  for (const reference of manifest) {
    test(`${reference.file} → ${reference.architecture}`, async () => {
      const options = optionsFor(reference.file);
      const converted = await convertCheckpoint(bytesOf(reference.file), options);
      assert.equal(converted.family.id, options.architecture?.id ?? reference.architecture);
      const difference = await differenceFromPyTorch(converted.onnx, reference);
      assert.ok(difference.logits <= TOLERANCE, `logits differ from PyTorch's by ${difference.logits}`);
      assert.ok(difference.probabilities <= TOLERANCE, `probabilities differ by ${difference.probabilities}`);
    });
  }
});

describe('where the weights were, and what was beside them', () => {
  test("{'epoch', 'network'}: the state_dict under any key is found and named", async () => {
    const converted = await convertCheckpoint(bytesOf('rotnet-style-network.pth'));
    assert.equal(converted.taken, "took checkpoint['network']");
    assert.deepEqual(converted.placeholders, []);
  });

  test("a scheduler's collections.Counter is an inert placeholder, named, never constructed", async () => {
    const converted = await convertCheckpoint(bytesOf('model-state-counter.pth'));
    assert.equal(converted.taken, "took checkpoint['model_state']");
    assert.deepEqual(converted.placeholders, ['collections.Counter']);
    // Recorded for nin-sdk info and the web page: where the weights were, what was left aside.
    const info = readModelInfo(converted.onnx, 'm.onnx');
    assert.deepEqual([info.sourceEntry, info.ignored], ["checkpoint['model_state']", ['collections.Counter']]);
  });

  test('a pickled loss, an argparse Namespace and a numpy scalar beside the state_dict', async () => {
    const converted = await convertCheckpoint(bytesOf('criterion-pickled.pth'));
    assert.deepEqual(converted.placeholders, [
      'torch.nn.modules.loss.CrossEntropyLoss',
      'argparse.Namespace',
      'numpy.core.multiarray.scalar',
    ]);
  });

  test("torch.save(model): the module's parameters and buffers, in state_dict() order", async () => {
    const contents = openCheckpointContents(bytesOf('whole-module.pth'));
    assert.equal(contents.dictionaries.length, 1);
    const [module] = contents.dictionaries;
    assert.equal(module!.moduleClass, '__main__.NIN');
    assert.deepEqual(
      module!.tensors.slice(0, 3).map(([key]) => key),
      ['classifier.0.weight', 'classifier.0.bias', 'classifier.2.weight'],
    );
    const converted = await convertCheckpoint(bytesOf('whole-module.pth'));
    assert.equal(converted.taken, 'took checkpoint (a pickled __main__.NIN module)');
    assert.deepEqual(converted.placeholders, []);
  });

  test('two state_dicts that fit are refused, each named with the --key that picks it', async () => {
    await assert.rejects(convertCheckpoint(bytesOf('model-and-ema.pth')), {
      name: 'ArchitectureError',
      message:
        "2 state_dicts in this checkpoint fit: checkpoint['model'] (cifar10, --key model), checkpoint['ema'] (cifar10, --key ema); pick one with --key",
    });
    await assert.rejects(convertCheckpoint(bytesOf('model-and-ema.pth'), { key: 'optimizer' }), {
      message: '--key optimizer: no dict of tensors there; this checkpoint has model (18 tensors), ema (18 tensors)',
    });
    const model = await convertCheckpoint(bytesOf('model-and-ema.pth'), { key: 'model' });
    assert.equal(model.taken, "took checkpoint['model']");
    // The reference is the EMA copy's: the model's own weights give other outputs.
    assert.ok((await differenceFromPyTorch(model.onnx, entry('model-and-ema.pth'))).logits > 1e-2);
  });
});

describe("FeatureLearningRotNet's NetworkInNetwork: blocks from the keys, the task from the class count", () => {
  test('5 blocks for the rotation task (keys and shapes written by PyTorch)', () => {
    const shapes = JSON.parse(readFileSync(join(CONTAINERS, 'rotnet-nin5-rotation.shapes.json'), 'utf8')) as Record<
      string,
      number[]
    >;
    const match = recognizeArchitecture(new Map(Object.entries(shapes).map(([key, shape]) => [key, { shape }])));
    assert.deepEqual([match.architecture.id, match.classCount, match.assumptions], ['rotnet-nin5-rotation', 4, []]);
  });
});

describe('names are a hint, shapes are the evidence', () => {
  test("a misspelt container ('classifer.') converts as the entry whose names come closest, said aloud", async () => {
    const converted = await convertCheckpoint(bytesOf('classifer-misspelt.pth'));
    assert.equal(converted.family.id, 'cifar10');
    assert.equal(
      converted.assumptions[0],
      "the keys say 'classifer.' where cifar10 has 'classifier.': took them as renamed (classifer.0.weight → " +
        'classifier.0.weight, classifer.0.bias → classifier.0.bias …); the same shapes also fit yangqiongyongyu-nin, ' +
        'pytorchcv-nin-cifar10, pytorchcv-nin-svhn (pass --arch to take one of those)',
    );
  });

  test("a wrapper module's prefix ('model.') is taken off, said aloud", async () => {
    const converted = await convertCheckpoint(bytesOf('wrapped-model.pth'));
    assert.equal(converted.family.id, 'yangqiongyongyu-nin');
    assert.match(converted.assumptions[0]!, /^the keys carry 'model\.' in front of yangqiongyongyu-nin's/);
  });

  test("d2l's NiN built with in_channels=3 takes colour images", async () => {
    const converted = await convertCheckpoint(bytesOf('d2l-rgb.pth'));
    assert.equal(converted.family.inputChannels, 3);
    assert.equal(converted.metadata.preprocessing.channels, undefined);
    assert.equal(
      converted.assumptions[0],
      "input: 3 channels, as the first convolution's weights have (d2l-nin is built for 1 by default; its source takes in_channels as a parameter)",
    );
  });
});

describe("binarised nets: what feeds a Sign is computed as PyTorch's CPU kernels compute it", () => {
  test('a BatchNorm constant term a few ulps from 0 keeps the sign PyTorch gives it', async () => {
    const bytes = bytesOf('xnor-near-zero.pth.tar');
    const converted = await convertCheckpoint(bytes);
    const model = readOnnx(converted.onnx);
    const shift = model.graph.initializers.find((i) => i.name === 'xnor.3.bn.shift')!.tensor;
    assert.equal(shift.dtype, 'float64'); // x·scale + shift in float64, rounded once: PyTorch's fused multiply-add
    // The same term in float64 and rounded once, as the converter computed it before: another sign for the first
    // channels, so every position the ReLU ahead zeroed would flip (the fixture's logits then move by 0.30).
    const { tensors } = openCheckpointContents(bytes).read(openCheckpointContents(bytes).dictionaries[0]!);
    const values = (key: string) => tensors.get(key)!.data as Float32Array;
    const [mean, variance, gamma, beta] = ['running_mean', 'running_var', 'weight', 'bias'].map((s) =>
      values(`xnor.3.bn.${s}`),
    ) as [Float32Array, Float32Array, Float32Array, Float32Array];
    const flipped = [0, 1, 2, 3].filter((c) => {
      const inFloat64 = Math.fround(beta[c]! - (mean[c]! * Math.max(gamma[c]!, 0.01)) / Math.sqrt(variance[c]! + 1e-4));
      return Math.sign(inFloat64) !== Math.sign((shift.data as Float64Array)[c]!);
    });
    assert.ok(flipped.length > 0, 'the fixture no longer exercises the order of operations');
    const difference = await differenceFromPyTorch(converted.onnx, entry('xnor-near-zero.pth.tar'));
    assert.ok(difference.logits <= TOLERANCE, `logits differ from PyTorch's by ${difference.logits}`);
  });
});

describe('what the weights cannot show is said every time it is taken', () => {
  test('a LeakyReLU net converts as ReLU only with the activation said; its --print-arch JSON edited converts it right', async () => {
    const reference = entry('leaky-cifar.pth');
    const asRelu = await convertCheckpoint(bytesOf('leaky-cifar.pth'));
    assert.ok(
      asRelu.assumptions.includes(
        "activation: ReLU after every convolution (as cifar10's code has it; not in a state_dict): override with --arch <file.json> (see --print-arch)",
      ),
      asRelu.assumptions.join('\n'),
    );
    assert.ok((await differenceFromPyTorch(asRelu.onnx, reference)).logits > TOLERANCE);
    // What --print-arch writes, with the activation edited, is the committed fixture.
    const printed = usedArchitectureJson(asRelu) as { layers: Array<{ kind: string; name: string; slope?: number }> };
    const edited = {
      ...printed,
      id: 'leaky-cifar-nin',
      layers: printed.layers.map((layer) =>
        layer.kind === 'relu' ? { ...layer, kind: 'leakyRelu', slope: 0.01 } : layer,
      ),
    };
    assert.deepEqual(edited, JSON.parse(readFileSync(join(CONTAINERS, 'leaky-cifar-nin.json'), 'utf8')));
    const leaky = await convertCheckpoint(bytesOf('leaky-cifar.pth'), { architecture: leakyArchitecture() });
    assert.ok(!leaky.assumptions.some((line) => line.startsWith('activation:')));
  });

  test('preprocessing and labels are said unless given, and a given spec is what the model records', async () => {
    const bytes = bytesOf('yang-cifar-normalised.pth.tar');
    const assumed = await convertCheckpoint(bytes);
    assert.ok(
      assumed.assumptions.includes(
        "preprocessing: resize to 32, RGB, ×1/255, mean 0 0 0, std 1 1 1 (the yangqiongyongyu-nin entry's; not in a checkpoint): override with --preprocessing <spec.json>",
      ),
    );
    assert.ok(assumed.assumptions.some((line) => line.startsWith("labels: the yangqiongyongyu-nin entry's 10 (")));
    const spec = { ...CIFAR10_COPIED_STD_PREPROCESSING };
    const labels = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
    const given = await convertCheckpoint(bytes, { preprocessing: spec, labels });
    assert.deepEqual(given.metadata.preprocessing, spec);
    assert.ok(!given.assumptions.some((line) => line.startsWith('preprocessing:') || line.startsWith('labels:')));
  });
});
