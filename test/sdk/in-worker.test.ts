import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, test } from 'node:test';
import { NIN_CIFAR10 } from '../../src/convert/index.js';
import { GraphBuilder, ops, writeOnnx } from '../../src/graph/index.js';
import { loadClassifier, ProviderError } from '../../src/index.js';
import { nodeSessionOptions } from '../../src/runtime/node/session-options.js';
import { FIXTURES } from '../support/fixtures.js';
import { temporaryFolder } from '../security/helpers.js';
import '../support/inference-workers.js';

const CIFAR = join(FIXTURES, 'images', 'cifar10');
const IMAGES = [...readdirSync(CIFAR).map((file) => join(CIFAR, file)), join(FIXTURES, 'images', 'grey-400x300.jpg')];

describe("loadClassifier's inWorker: ONNX Runtime in a worker thread of the classifier's own", () => {
  test('gives exactly the answers of a session on this thread, both precisions, in batches that are read ahead', async () => {
    for (const dtype of ['fp32', 'int8'] as const) {
      const here = await loadClassifier(undefined, { dtype, batchSize: 4 });
      const worker = await loadClassifier(undefined, { dtype, batchSize: 4, inWorker: true, blockingReads: true });
      assert.equal(worker.provider, 'cpu');
      assert.deepEqual(worker.fallbacks, []);
      const expected = await here.classifyBatch(IMAGES, { top: 10 });
      const ours = await worker.classifyBatch(IMAGES, { top: 10 });
      assert.equal(ours.length, IMAGES.length);
      ours.forEach((result, i) => assert.deepEqual(result, expected[i]!, `${dtype} ${IMAGES[i]}`));
      // Concurrent calls queue as on this thread.
      const concurrent = await Promise.all(IMAGES.slice(0, 5).map((image) => worker.classify(image, { top: 10 })));
      concurrent.forEach((result, i) => assert.deepEqual(result, expected[i]!));
      await Promise.all([here.dispose(), worker.dispose()]);
    }
  });

  test('a batch with a bad image fails as on this thread, and the worker goes on with the next', async () => {
    const folder = temporaryFolder('in-worker');
    const broken = join(folder, 'broken.jpg');
    writeFileSync(broken, 'not a jpeg at all');
    const worker = await loadClassifier(undefined, { inWorker: true, blockingReads: true, batchSize: 2 });
    await assert.rejects(worker.classifyBatch([IMAGES[0]!, IMAGES[1]!, broken]), {
      name: 'ImageError',
      message: `${broken} is not an image in an accepted format (JPEG, PNG, WebP, GIF, TIFF, BMP)`,
    });
    await assert.rejects(worker.classify(join(folder, 'missing.jpg')), {
      name: 'ImageError',
      message: `cannot read ${join(folder, 'missing.jpg')}: no such file`,
    });
    assert.equal((await worker.classify(IMAGES[0]!)).top.length, 5);
    await worker.dispose();
    await assert.rejects(worker.classify(IMAGES[0]!), { message: 'this classifier has been disposed' });
  });

  test('a provider that cannot start fails with the same error class and message as on this thread', async () => {
    const options = { provider: 'cuda', strict: true } as const;
    const here = await loadClassifier(undefined, options).then(
      () => assert.fail('cuda started'),
      (error: unknown) => error,
    );
    assert.ok(here instanceof ProviderError);
    await assert.rejects(loadClassifier(undefined, { ...options, inWorker: true }), {
      name: 'ProviderError',
      message: here.message,
    });
    const fallback = await loadClassifier(undefined, { provider: ['cuda', 'cpu'], inWorker: true });
    assert.equal(fallback.provider, 'cpu');
    assert.deepEqual(
      fallback.fallbacks.map((f) => f.provider),
      ['cuda'],
    );
    await fallback.dispose();
  });

  test("a run that ONNX Runtime refuses fails with this thread's error class and message", async () => {
    // A classifier-shaped graph whose Reshape to [1, 10] cannot hold an image's 3,072 values: refused at run time.
    const g = new GraphBuilder();
    g.output(ops.reshape(g, g.input('input', 'float32', ['batch', 3, 32, 32]), [1, 10]), 'logits');
    const labels = Array.from({ length: 10 }, (_, i) => `class_${i}`);
    const metadata = {
      'nin.family': 'cifar10',
      'nin.labels': JSON.stringify(labels),
      'nin.preprocessing': JSON.stringify(NIN_CIFAR10.preprocessing),
    };
    const model = writeOnnx(g.build(), { metadata });
    const failures = [];
    for (const inWorker of [false, true]) {
      const classifier = await loadClassifier(model, { inWorker });
      failures.push(
        await classifier.classify(IMAGES[0]!).then(
          () => assert.fail('the run succeeded'),
          (e: unknown) => e,
        ),
      );
      await classifier.dispose();
    }
    const [here, worker] = failures as [Error, Error];
    assert.equal(here.name, 'OnnxRuntimeError');
    assert.match(here.message, /^ONNX Runtime could not run the model: .*reshape/i);
    assert.equal(worker.name, here.name);
    assert.equal(worker.message, here.message);
  });

  test('an idle worker does not keep the process alive: a program that never disposes still ends, after its answer', () => {
    const program = [
      `import '${new URL('../support/inference-workers.ts', import.meta.url).href}';`,
      `import { loadClassifier } from '${new URL('../../src/index.ts', import.meta.url).href}';`,
      `const classifier = await loadClassifier(undefined, { inWorker: true });`,
      `const { top: [best] } = await classifier.classify(${JSON.stringify(IMAGES[0])});`,
      `console.log(best.label);`,
    ].join('\n');
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(run.signal, null, 'the process had to be killed: the worker kept it alive');
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, `${basename(IMAGES[0]!).split('-')[0]}\n`);
  });

  test('its pool threads sleep between runs: they share the cores with the thread that decodes', () => {
    assert.deepEqual(nodeSessionOptions({ threads: 2, inWorker: true }, 'int8'), {
      intraOpNumThreads: 2,
      logSeverityLevel: 3,
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
  });
});
