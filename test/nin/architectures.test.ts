import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import {
  architectureById,
  convertCheckpoint,
  parseArchitectureJson,
  type Architecture,
} from '../../src/convert/index.js';
import { readCheckpoint } from '../../src/formats/pth/index.js';
import { readOnnx } from '../../src/graph/index.js';
import { argmaxRows, FIXTURES, maxAbsDiff, readFloat32, type ArrayRef } from '../support/fixtures.js';

/** Checkpoints of the other public NIN implementations, written by fixtures/make_arch_fixtures.py. */
const ARCH_FIXTURES = join(FIXTURES, 'arch');
const TOLERANCE = 1e-4;

interface ArchManifestEntry {
  readonly file: string;
  readonly architecture: string;
  readonly format: 'zip' | 'legacy';
  readonly input: ArrayRef;
  readonly logits: ArrayRef;
  readonly probabilities: ArrayRef;
}

const manifest = JSON.parse(readFileSync(join(ARCH_FIXTURES, 'manifest.json'), 'utf8')) as ArchManifestEntry[];

/** A registry entry converts with no flags; anything else with its `--arch` JSON from fixtures/arch. */
function userArchitecture(entry: ArchManifestEntry): Architecture | undefined {
  if (architectureById(entry.architecture) !== undefined) return undefined;
  const file = join(ARCH_FIXTURES, `${entry.architecture}.json`);
  return parseArchitectureJson(readFileSync(file, 'utf8'), file);
}

async function checkParity(entry: ArchManifestEntry): Promise<void> {
  const architecture = userArchitecture(entry);
  const converted = await convertCheckpoint(readFileSync(join(ARCH_FIXTURES, entry.file)), {
    fileName: entry.file,
    ...(architecture === undefined ? {} : { architecture }),
  });
  assert.equal(converted.family.id, entry.architecture);
  // Registry entries assume nothing, except naming which of two equal layouts the file name picked (pytorchcv), what
  // the entry itself says it takes as given (XNOR-Net's preprocessing) and what the container picked (kuangliu).
  for (const assumption of converted.assumptions) {
    assert.match(
      assumption,
      architecture === undefined
        ? /because the file name contains|^preprocessing: the cifar10 family's .*, an approximation: XNOR-Net-PyTorch |^the checkpoint is saved as kuangliu\/pytorch-cifar's main\.py saves it |^(activation|pooling|batchnorm|preprocessing|labels): /
        : /^took the layers of kuangliu-style-nin as given/,
    );
  }
  assert.equal(converted.checkpointFormat, entry.format);
  const session = await ort.InferenceSession.create(converted.onnx);
  try {
    const input = new ort.Tensor('float32', readFloat32(entry.input, ARCH_FIXTURES), entry.input.shape);
    const outputs = await session.run({ input });
    const logits = outputs['logits']!;
    const probabilities = outputs['probabilities']!;
    assert.deepEqual(logits.dims, entry.logits.shape);
    const expectedLogits = readFloat32(entry.logits, ARCH_FIXTURES);
    const expectedProbabilities = readFloat32(entry.probabilities, ARCH_FIXTURES);
    const logitsDiff = maxAbsDiff(logits.data as Float32Array, expectedLogits);
    const probabilitiesDiff = maxAbsDiff(probabilities.data as Float32Array, expectedProbabilities);
    assert.ok(logitsDiff <= TOLERANCE, `logits differ from PyTorch's by ${logitsDiff}`);
    assert.ok(probabilitiesDiff <= TOLERANCE, `probabilities differ from PyTorch's by ${probabilitiesDiff}`);
    const classes = entry.logits.shape[1]!;
    assert.deepEqual(
      argmaxRows(probabilities.data as Float32Array, classes),
      argmaxRows(expectedProbabilities, classes),
    );
  } finally {
    await session.release();
  }
}

describe('other public NIN implementations convert (with no flags when in the registry) and match PyTorch', () => {
  for (const entry of manifest) {
    test(`${entry.file} → ${entry.architecture}${architectureById(entry.architecture) ? '' : ' (--arch JSON)'}`, () =>
      checkParity(entry));
  }
});

describe('what the registry entries carry', () => {
  const read = (file: string) => readFileSync(join(ARCH_FIXTURES, file));

  test("pytorchcv: CIFAR-100 and SVHN label sets and pytorchcv's normalisation are built in", async () => {
    const cifar100 = await convertCheckpoint(read('nin_cifar100-small.pth'));
    assert.equal(cifar100.family.id, 'pytorchcv-nin-cifar100');
    assert.equal(cifar100.metadata.labels.length, 100);
    assert.equal(cifar100.metadata.labels[99], 'worm');
    assert.match(
      cifar100.assumptions.at(-1)!,
      /^labels: the pytorchcv-nin-cifar100 entry's 100 \(apple, aquarium_fish, /,
    );
    const svhn = await convertCheckpoint(read('nin_svhn-small.pth'), { fileName: 'nin_svhn-0376-65c3adfb.pth' });
    assert.deepEqual(svhn.metadata.labels, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    assert.deepEqual(svhn.metadata.preprocessing.std, [0.2023, 0.1994, 0.201]);
  });

  test('rasbt BatchNorm: every BatchNorm is folded into the convolution before it (no BN nodes left)', async () => {
    const { onnx } = await convertCheckpoint(read('rasbt-nin-batchnorm-small.pth'));
    const model = readOnnx(onnx);
    const ops = new Set(model.graph.nodes.map((n) => n.opType));
    assert.ok(!ops.has('BatchNormalization') && !ops.has('Mul'), [...ops].join(','));
    assert.equal(model.graph.nodes.filter((n) => n.opType === 'Conv').length, 9);
  });

  test('d2l: one grey channel at 224×224, floor-mode pools, a global average pool', async () => {
    const { onnx } = await convertCheckpoint(read('d2l-nin-small.params'));
    const model = readOnnx(onnx);
    assert.deepEqual(model.graph.inputs[0]!.shape, ['batch', 1, 224, 224]);
    assert.ok(model.graph.nodes.some((n) => n.opType === 'GlobalAveragePool'));
    const architecture = JSON.parse(model.metadata['nin.architecture']!) as { id: string; layers: unknown[] };
    assert.equal(architecture.id, 'd2l-nin');
    assert.equal(architecture.layers.length, 30);
  });

  test('yangqiongyongyu: the pickled SGD optimizer is an inert placeholder, named once', async () => {
    const checkpoint = readCheckpoint(read('yangqiongyongyu-nin-small.pth.tar'));
    assert.deepEqual(checkpoint.placeholders, ['optimizer (torch.optim.sgd.SGD)']);
    assert.deepEqual(checkpoint.extras, { epoch: 3, best_acc: 0.4217 });
    const converted = await convertCheckpoint(read('yangqiongyongyu-nin-small.pth.tar'));
    assert.deepEqual(converted.placeholders, ['torch.optim.sgd.SGD']);
  });

  test("kuangliu-style: {'net': …} with DataParallel's module. prefix, acc and epoch beside it", () => {
    const checkpoint = readCheckpoint(read('kuangliu-style-ckpt.pth'));
    assert.equal(checkpoint.wrapper, 'net');
    assert.equal(checkpoint.strippedPrefix, 'module.');
    assert.deepEqual(checkpoint.extras, { acc: 71.25, epoch: 42 });
    assert.deepEqual(checkpoint.placeholders, []);
  });

  test('XNOR-Net: Sign activations, and BinConv2d weights binarised as its evaluation does (±α per output channel)', async () => {
    const { onnx } = await convertCheckpoint(read('xnor-net-nin-small.pth.tar'));
    const model = readOnnx(onnx);
    assert.equal(model.graph.nodes.filter((n) => n.opType === 'Sign').length, 7);
    const weight = model.graph.initializers.find((i) => i.name === 'xnor.3.conv.weight')!;
    const values = weight.tensor.data as Float32Array;
    const perOut = values.length / weight.tensor.dims[0]!;
    for (let o = 0; o < weight.tensor.dims[0]!; o++) {
      const magnitudes = new Set(
        Array.from(values.subarray(o * perOut, (o + 1) * perOut), (v) => Math.abs(v)).filter((v) => v > 0),
      );
      assert.equal(magnitudes.size, 1, `output channel ${o}`);
    }
  });
});
