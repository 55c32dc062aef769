import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { convertCheckpoint } from '../../src/convert/index.js';
import { GraphBuilder, ops, writeOnnx } from '../../src/graph/index.js';
import {
  classify,
  defaultModelPath,
  loadClassifier,
  ModelError,
  ProviderError,
  type NodeClassifier,
  type Predictions,
} from '../../src/index.js';
import { CHECKPOINTS, FIXTURES, maxAbsDiff, ROOT } from '../support/fixtures.js';

const IMAGES = join(FIXTURES, 'images');
// A CIFAR-10 test cat (cat/0000.jpg) that the embedded model calls a cat with 99.3 %, far from any tie.
const CAT = join(IMAGES, 'cifar10', 'cat-0000.jpg');

interface PreprocessManifest {
  readonly images: readonly {
    readonly file: string;
    readonly references: Record<string, { tensor: string; dims: number[] }>;
  }[];
}

function referenceTensor(name: string): Float32Array {
  const bytes = gunzipSync(readFileSync(join(FIXTURES, 'preprocess', name)));
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

describe('classify() with the embedded default model', () => {
  test('says cat for the README cat, top-k sorted, probabilities of all classes sum to 1, provider reported', async () => {
    const { top, provider } = await classify(CAT);
    assert.equal(top.length, 5);
    assert.equal(top[0]!.label, 'cat');
    assert.equal(top[0]!.index, 3);
    assert.equal(provider, 'cpu');
    for (let i = 1; i < top.length; i++) assert.ok(top[i - 1]!.probability >= top[i]!.probability);
    const { top: all } = await classify(CAT, { top: 100 });
    assert.equal(all.length, 10);
    assert.ok(Math.abs(all.reduce((sum, p) => sum + p.probability, 0) - 1) < 1e-5);
  });

  test('accepts a path, encoded bytes and raw pixels, with the same answer', async () => {
    const fromPath = await classify(CAT, { top: 10 });
    const fromBytes = await classify(readFileSync(CAT), { top: 10 });
    const { data, info } = await sharp(CAT).raw().toBuffer({ resolveWithObject: true });
    const fromPixels = await classify(
      { data, width: info.width, height: info.height, channels: info.channels },
      { top: 10 },
    );
    assert.deepEqual(fromBytes, fromPath);
    assert.deepEqual(fromPixels, fromPath);
  });
});

describe('a loaded classifier', () => {
  let classifier: NodeClassifier;
  after(() => classifier?.dispose());

  test('equals ONNX Runtime on the PIL + torchvision preprocessed tensors of every fixture image (≤ 1e-5)', async () => {
    classifier = await loadClassifier(defaultModelPath());
    const session = await ort.InferenceSession.create(defaultModelPath());
    const manifest = JSON.parse(
      readFileSync(join(FIXTURES, 'preprocess', 'manifest.json'), 'utf8'),
    ) as PreprocessManifest;
    let checked = 0;
    for (const image of manifest.images) {
      const reference = image.references['cifar10'];
      if (reference === undefined) continue;
      const expected = await session.run({
        input: new ort.Tensor('float32', referenceTensor(reference.tensor), reference.dims),
      });
      const ours = await classifier.classify(join(IMAGES, image.file), { top: 10 });
      const probabilities = new Float32Array(10);
      for (const p of ours.top) probabilities[p.index] = p.probability;
      assert.ok(maxAbsDiff(probabilities, expected['probabilities']!.data as Float32Array) <= 1e-5, image.file);
      checked++;
    }
    assert.ok(checked >= 15, `only ${checked} images checked`);
    await session.release();
  });

  test('concurrent calls give exactly the serial answers', async () => {
    const files = ['cat.jpg', 'cifar10/ship-0005.jpg', 'cifar10/truck-0099.jpg', 'grey-400x300.jpg'].map((f) =>
      join(IMAGES, f),
    );
    const serial: Predictions[] = [];
    for (const file of files) serial.push(await classifier.classify(file, { top: 10 }));
    const concurrent = await Promise.all([...files, ...files].map((file) => classifier.classify(file, { top: 10 })));
    concurrent.forEach((result, i) => assert.deepEqual(result, serial[i % files.length]));
    const batch = await classifier.classifyBatch(files, { top: 10 });
    batch.forEach((result, i) => assert.deepEqual(result, serial[i]));
  });

  test("an ImageNet-family model from bytes: probabilities come from the graph's own Softmax and sum to 1", async () => {
    const { onnx } = await convertCheckpoint(readFileSync(join(CHECKPOINTS, 'imagenet-small.pth')));
    const imagenet = await loadClassifier(onnx);
    const { top } = await imagenet.classify(join(IMAGES, 'large-1600x1200.jpg'), { top: 1000 });
    assert.equal(top.length, 1000);
    assert.ok(Math.abs(top.reduce((s, p) => s + p.probability, 0) - 1) < 1e-4);
    assert.equal(imagenet.info.preprocessing.inputSize, 224);
    await imagenet.dispose();
  });
});

describe('providers', () => {
  test('an unknown provider lists the valid ones', async () => {
    // @ts-expect-error: the type refuses it; a JavaScript caller's mistake is refused at run time.
    await assert.rejects(loadClassifier(undefined, { provider: 'tpu' }), {
      name: 'ProviderError',
      message: "unknown provider 'tpu' for node: should be one of cpu, cuda, webgpu",
    });
  });

  test('CUDA without its libraries: strict fails saying what is missing; otherwise falls back to CPU and says so', async () => {
    await assert.rejects(loadClassifier(undefined, { provider: 'cuda', strict: true }), (error: unknown) => {
      assert.ok(error instanceof ProviderError);
      assert.match(
        error.message,
        /^no execution provider could start \(cuda: onnxruntime-node's CUDA binaries are not installed \(no libonnxruntime_providers_shared\.so\); it needs an NVIDIA GPU with the CUDA 12 and cuDNN 9 libraries, and onnxruntime-node's CUDA binaries \(node node_modules\/onnxruntime-node\/script\/install --onnxruntime-node-install=cuda12; see the README\)\)$/,
      );
      return true;
    });
    const fallback = await loadClassifier(undefined, { provider: ['cuda', 'cpu'] });
    assert.equal(fallback.provider, 'cpu');
    assert.deepEqual(
      fallback.fallbacks.map((f) => f.provider),
      ['cuda'],
    );
    assert.equal((await fallback.classify(CAT)).provider, 'cpu');
    await fallback.dispose();
  });

  test("the README's provider: ['cuda', 'cpu'] on a machine without CUDA: ONNX Runtime is not asked, so stderr stays empty", () => {
    // In a child: ONNX Runtime writes a failed provider library to file descriptor 2 itself, past JavaScript.
    const script = [
      "import { loadClassifier } from './src/index.ts';",
      "const classifier = await loadClassifier(undefined, { provider: ['cuda', 'cpu'] });",
      'console.log(JSON.stringify({ provider: classifier.provider, fallbacks: classifier.fallbacks }));',
      'await classifier.dispose();',
    ].join('\n');
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stderr, '');
    assert.deepEqual(JSON.parse(child.stdout), {
      provider: 'cpu',
      fallbacks: [
        {
          provider: 'cuda',
          error: "onnxruntime-node's CUDA binaries are not installed (no libonnxruntime_providers_shared.so)",
        },
      ],
    });
  });
});

describe('models that are not nin-sdk classifiers', () => {
  test('bytes that are not ONNX', async () => {
    await assert.rejects(loadClassifier(new TextEncoder().encode('hello, not a model')), {
      name: 'ModelError',
      message: 'model bytes is not an ONNX model (cant skip wire type 4)',
    });
  });

  test('an ONNX model without nin metadata', async () => {
    const g = new GraphBuilder();
    g.output(ops.relu(g, g.input('x', 'float32', [1, 4])), 'y');
    await assert.rejects(loadClassifier(writeOnnx(g.build())), {
      name: 'ModelError',
      message:
        "model bytes is not a nin-sdk classifier: it has no 'nin.labels' metadata (convert the PyTorch checkpoint with nin-convert)",
    });
  });

  test('an ONNX model with classifier metadata but other outputs', async () => {
    const g = new GraphBuilder();
    g.output(ops.relu(g, g.input('x', 'float32', ['batch', 3, 32, 32])), 'y');
    const metadata = {
      'nin.family': 'cifar10',
      'nin.labels': JSON.stringify(['a', 'b']),
      'nin.preprocessing': JSON.stringify({
        inputSize: 32,
        resizeShorterSide: 32,
        channelOrder: 'RGB',
        scale: 1,
        mean: [0, 0, 0],
        std: [1, 1, 1],
      }),
    };
    await assert.rejects(loadClassifier(writeOnnx(g.build(), { metadata })), (error: unknown) => {
      assert.ok(error instanceof ModelError);
      assert.equal(
        error.message,
        "model bytes is not an image classifier: expected one input and an output named 'probabilities' or 'logits', found inputs [x] and outputs [y]",
      );
      return true;
    });
  });
});
