import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import {
  ArchitectureError,
  architectureById,
  ARCHITECTURES,
  convertCheckpoint,
  parseArchitectureJson,
  recognizeArchitecture,
} from '../../src/convert/index.js';
import { readCheckpoint } from '../../src/formats/pth/index.js';
import { writeCheckpoint } from '../../src/formats/pth/write/index.js';
import { readOnnx } from '../../src/graph/index.js';
import { CHECKPOINTS, FIXTURES, maxAbsDiff, readFloat32 } from '../support/fixtures.js';

const ARCH = join(FIXTURES, 'arch');
const tensorsOf = (file: string, folder = ARCH) => readCheckpoint(readFileSync(join(folder, file))).tensors;

/** The same tensors under other names, in the same order: what a user's own training script may have saved. */
function renamed(file: string, folder = ARCH): Uint8Array {
  const tensors = new Map<string, { shape: readonly number[]; data: Float32Array }>();
  let n = 0;
  for (const [key, tensor] of tensorsOf(file, folder)) {
    if (!(tensor.data instanceof Float32Array)) continue; // num_batches_tracked: int64, skipped like torch's own optional key
    tensors.set(`layer${n++}.${key.slice(key.lastIndexOf('.') + 1)}`, { shape: tensor.shape, data: tensor.data });
  }
  return writeCheckpoint(tensors);
}

describe('recognizeArchitecture: what is read, and what is assumed and said', () => {
  test('keys and shapes alone pick one entry: nothing assumed', () => {
    const match = recognizeArchitecture(tensorsOf('d2l-class-nin-small.pth'));
    assert.equal(match.architecture.id, 'd2l-nin');
    assert.equal(match.matchedBy, 'keys');
    assert.deepEqual(match.assumptions, []);
    assert.equal(match.keyOf.get('0.0.weight'), 'net.0.0.weight');
  });

  test('a tie (pytorchcv nin_cifar10 and nin_svhn have the same keys and shapes) is reported, not guessed', () => {
    assert.throws(() => recognizeArchitecture(tensorsOf('nin_cifar10-small.pth')), {
      name: 'ArchitectureError',
      message:
        'this checkpoint fits 2 known architectures equally (same keys and shapes): pytorchcv-nin-cifar10, pytorchcv-nin-svhn; ' +
        'they differ in labels and preprocessing, which a state_dict does not carry. Name one with --arch pytorchcv-nin-cifar10|pytorchcv-nin-svhn',
    });
  });

  test('a file name like the published one breaks the tie, and says so', () => {
    const match = recognizeArchitecture(tensorsOf('nin_cifar10-small.pth'), {
      fileName: '/tmp/nin_cifar10-0743-9696c45b.pth',
    });
    assert.equal(match.architecture.id, 'pytorchcv-nin-cifar10');
    assert.deepEqual(match.assumptions, [
      'pytorchcv-nin-svhn has the same keys and shapes as pytorchcv-nin-cifar10; took pytorchcv-nin-cifar10 because the file name contains ' +
        'nin_cifar10- (its labels and preprocessing are what differ: pass --arch pytorchcv-nin-svhn if that is wrong)',
    ]);
  });

  test('class count settles what keys cannot: 100 outputs are nin_cifar100, with no hint needed', () => {
    assert.equal(recognizeArchitecture(tensorsOf('nin_cifar100-small.pth')).architecture.id, 'pytorchcv-nin-cifar100');
  });

  test('an architecture named with --arch is taken, and its unread settings are said', () => {
    const match = recognizeArchitecture(tensorsOf('nin_svhn-small.pth'), {
      architecture: architectureById('pytorchcv-nin-svhn')!,
    });
    assert.equal(match.matchedBy, 'keys');
    assert.deepEqual(match.assumptions, [
      'took the layers of pytorchcv-nin-svhn as given (max pool 3/2 pad 1 floor, avg pool 3/2 pad 1 floor counting pads, ' +
        'avg pool 8/1 pad 0 floor, conv stride/padding 1/2,1/0,1/0,1/2,1/0,1/0,1/1,1/0,1/0, 3×32×32 input): a state_dict does not record them',
    ]);
  });

  test('renamed keys match by order only on a hint, and that is said first', () => {
    const tensors = readCheckpoint(renamed('yangqiongyongyu-nin-small.pth.tar')).tensors;
    assert.throws(() => recognizeArchitecture(tensors), ArchitectureError);
    const match = recognizeArchitecture(tensors, { architecture: architectureById('yangqiongyongyu-nin')! });
    assert.equal(match.matchedBy, 'by-order');
    assert.equal(
      match.assumptions[0],
      'matched renamed keys to the layers of yangqiongyongyu-nin in checkpoint order (layer0.weight → features.0.weight, layer1.bias → features.0.bias …)',
    );
    assert.match(
      match.assumptions[1]!,
      /^took the layers of yangqiongyongyu-nin as given \(max pool 3\/2 pad 0 ceil, avg pool 3\/2 pad 0 ceil, /,
    );
  });

  test("--family with renamed keys: the family's pooling is an assumption, said aloud", () => {
    const tensors = readCheckpoint(renamed('yangqiongyongyu-nin-small.pth.tar')).tensors;
    const match = recognizeArchitecture(tensors, { family: 'cifar10' });
    assert.equal(match.matchedBy, 'by-order');
    assert.match(
      match.assumptions[1]!,
      /^took the layers of cifar10 as given by --family \(max pool 3\/2 pad 1 floor, /,
    );
  });

  test('--family refuses tensors the family does not use, as recognition does, instead of dropping them', () => {
    const tensors = new Map(tensorsOf('cifar-small.pth', CHECKPOINTS));
    tensors.set('fc.weight', { dtype: 'float32', shape: [10, 10], data: new Float32Array(100) });
    tensors.set('fc.bias', { dtype: 'float32', shape: [10], data: new Float32Array(10) });
    const refusal =
      'the checkpoint has tensors that cifar10 does not use: fc.weight, fc.bias (2 keys); converting would drop them. ' +
      'Describe the whole network with --arch <file.json>';
    assert.throws(() => recognizeArchitecture(tensors, { family: 'cifar10' }), {
      name: 'ArchitectureError',
      message: refusal,
    });
    assert.throws(() => recognizeArchitecture(tensors, { architecture: architectureById('cifar10')! }), {
      message: refusal,
    });
    assert.throws(() => recognizeArchitecture(tensors), { name: 'ArchitectureError' }); // recognition refuses too
    // Renamed keys with one pair too many do not line up with the layers either.
    const renamedTensors = new Map(readCheckpoint(renamed('cifar-small.pth', CHECKPOINTS)).tensors);
    renamedTensors.set('extra.weight', { dtype: 'float32', shape: [10], data: new Float32Array(10) });
    assert.throws(() => recognizeArchitecture(renamedTensors, { family: 'cifar10' }), {
      message:
        'not a cifar10 checkpoint: expected classifier.0.weight, classifier.0.bias, classifier.2.weight, classifier.2.bias, … (18 keys), ' +
        'or the same tensors renamed in layer order; found layer0.weight, layer1.bias, layer2.weight, layer3.bias, … (19 keys)',
    });
    // Without the extras both convert: exactly the family's keys, and renamed in order.
    assert.equal(
      recognizeArchitecture(tensorsOf('cifar-small.pth', CHECKPOINTS), { family: 'cifar10' }).matchedBy,
      'keys',
    );
    renamedTensors.delete('extra.weight');
    assert.equal(recognizeArchitecture(renamedTensors, { family: 'cifar10' }).matchedBy, 'by-order');
  });

  test('a hint that overrides what the keys say on their own is said first (the way to a wrong model)', () => {
    const match = recognizeArchitecture(tensorsOf('yangqiongyongyu-nin-small.pth.tar'), { family: 'cifar10' });
    assert.equal(match.architecture.id, 'cifar10');
    assert.equal(
      match.assumptions[0],
      "the checkpoint's keys and shapes fit yangqiongyongyu-nin exactly, not cifar10: the hint overrides that (drop it to convert as yangqiongyongyu-nin)",
    );
    const own = recognizeArchitecture(tensorsOf('nin_svhn-small.pth'), {
      architecture: architectureById('pytorchcv-nin-svhn')!,
    });
    assert.equal(own.assumptions.length, 1); // its own keys: no override to report
  });

  test('a near miss names the closest entries and what differs', () => {
    const tensors = new Map(tensorsOf('rasbt-nin-batchnorm-small.pth'));
    tensors.delete('classifier.28.bias');
    tensors.set('classifier.31.weight', { dtype: 'float32', shape: [10], data: new Float32Array(10) });
    assert.throws(() => recognizeArchitecture(tensors), {
      message:
        "no known architecture fits this checkpoint's keys; closest: rasbt-nin-batchnorm (41 of 42 keys; missing classifier.28.bias (1 key), " +
        'unexpected classifier.31.weight (1 key)). See nin-convert --list-architectures, or describe the network with --arch <file.json>',
    });
  });

  test("rasbt: BatchNorm eps is not in a state_dict; the entry states PyTorch's default, 1e-5, affine", () => {
    const rasbt = architectureById('rasbt-nin-batchnorm')!;
    assert.ok(rasbt.layers.every((l) => l.kind !== 'batchNorm' || (l.eps === 1e-5 && l.affine)));
  });

  test('every registry entry has a unique id and labels', () => {
    const ids = ARCHITECTURES.map((a) => a.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const a of ARCHITECTURES) assert.ok(a.labels.length > 0, a.id);
  });
});

describe('--arch JSON: the registry vocabulary, validated', () => {
  const base = {
    id: 'my-nin',
    inputSize: 32,
    inputChannels: 3,
    labels: ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'],
    preprocessing: { scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] },
  };

  test('errors name the layer and the field', () => {
    const bad = (layers: unknown[]) => () => parseArchitectureJson(JSON.stringify({ ...base, layers }), 'my-net.json');
    assert.throws(
      bad([
        { kind: 'conv', name: 'features.0', kernel: 5 },
        { kind: 'maxPool', name: 'features.6', kernel: '3' },
      ]),
      {
        name: 'ArchitectureError',
        message: 'my-net.json: layers[1].kernel must be a whole number from 1 to 4096, got "3"',
      },
    );
    assert.throws(bad([{ kind: 'conv', name: 'c', kernel: 3, dilation: 2 }]), {
      message:
        'my-net.json: layers[0].dilation is not a field of a conv layer (allowed: kind, name, kernel, stride, padding, bias, weights)',
    });
    assert.throws(bad([{ kind: 'gelu', name: 'g' }]), {
      message:
        'my-net.json: layers[0].kind must be one of conv, batchNorm, relu, leakyRelu, sign, maxPool, avgPool, adaptiveAvgPool, dropout, flatten, linear, softmax, got "gelu"',
    });
    assert.throws(
      () => parseArchitectureJson('{"id": "x",', 'my-net.json'),
      /^ArchitectureError: my-net\.json: not valid JSON/,
    );
  });

  test('the yangqiongyongyu network described by hand converts to the same outputs as its registry entry', async () => {
    const yang = architectureById('yangqiongyongyu-nin')!;
    const json = JSON.stringify({
      ...base,
      id: 'my-yang',
      layers: yang.layers.map((layer) => {
        const { kind, name } = layer;
        if (layer.kind === 'conv') return { kind, name, kernel: layer.kernel, padding: layer.padding };
        if (layer.kind === 'maxPool' || layer.kind === 'avgPool')
          return { kind, name, kernel: layer.kernel, stride: layer.stride, ceilMode: layer.ceilMode };
        return { kind, name };
      }),
    });
    const architecture = parseArchitectureJson(json, 'my-yang.json');
    const bytes = readFileSync(join(ARCH, 'yangqiongyongyu-nin-small.pth.tar'));
    const converted = await convertCheckpoint(bytes, { architecture });
    assert.equal(converted.family.id, 'my-yang');
    assert.match(
      converted.assumptions[0]!,
      /^the checkpoint's keys and shapes fit yangqiongyongyu-nin exactly, not my-yang/,
    );
    assert.match(converted.assumptions[1]!, /^took the layers of my-yang as given/);
    const model = readOnnx(converted.onnx);
    assert.deepEqual(JSON.parse(model.metadata['nin.assumptions']!), converted.assumptions);
    const session = await ort.InferenceSession.create(converted.onnx);
    try {
      const input = readFloat32({ file: 'yangqiongyongyu-nin-small.input.bin', shape: [2, 3, 32, 32] }, ARCH);
      const { logits } = await session.run({ input: new ort.Tensor('float32', input, [2, 3, 32, 32]) });
      const expected = readFloat32({ file: 'yangqiongyongyu-nin-small.logits.bin', shape: [2, 10] }, ARCH);
      assert.ok(maxAbsDiff(logits!.data as Float32Array, expected) <= 1e-4);
    } finally {
      await session.release();
    }
  });

  test('the pytorch-nin families keep converting as before, saying only what the weights cannot show', async () => {
    const converted = await convertCheckpoint(readFileSync(join(CHECKPOINTS, 'cifar-small.pth')));
    assert.equal(converted.family.id, 'cifar10');
    assert.deepEqual(
      converted.assumptions.map((line) => line.slice(0, line.indexOf(':'))),
      ['activation', 'pooling', 'preprocessing', 'labels'],
    );
    assert.equal(converted.parameterCount, 29202);
  });
});
