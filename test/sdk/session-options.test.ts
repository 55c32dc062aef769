/**
 * The Node classifiers' session options for a cold start: 'startup' must not take the int8 model off its
 * NHWC QLinearConv layout (the 'all' level), and must give the same answers as 'throughput'.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadClassifier } from '../../src/index.js';
import { physicalCoreCount } from '../../src/io/cpu-cores.js';
import { nodeSessionOptions } from '../../src/runtime/node/session-options.js';
import { FIXTURES } from '../support/fixtures.js';

const NO_SPINNING = { session: { intra_op: { allow_spinning: '0' } } };

describe('nodeSessionOptions', () => {
  test("'startup': float32 drops to the 'extended' level, int8 keeps ONNX Runtime's default ('all'); neither spins", () => {
    assert.deepEqual(nodeSessionOptions({ optimize: 'startup', threads: 1 }, 'fp32'), {
      intraOpNumThreads: 1,
      logSeverityLevel: 3,
      graphOptimizationLevel: 'extended',
      extra: NO_SPINNING,
    });
    assert.deepEqual(nodeSessionOptions({ optimize: 'startup', threads: 1 }, 'int8'), {
      intraOpNumThreads: 1,
      logSeverityLevel: 3,
      extra: NO_SPINNING,
    });
  });

  test("'throughput' (the default): ONNX Runtime's defaults but the thread count, one per physical core", () => {
    for (const dtype of ['fp32', 'int8'] as const) {
      assert.deepEqual(nodeSessionOptions({}, dtype), { intraOpNumThreads: physicalCoreCount(), logSeverityLevel: 3 });
      assert.deepEqual(nodeSessionOptions({ optimize: 'throughput', threads: 3 }, dtype), {
        intraOpNumThreads: 3,
        logSeverityLevel: 3,
      });
    }
  });

  test("the embedded models give the same probabilities with 'startup' and 'throughput'", async () => {
    const folder = join(FIXTURES, 'images', 'cifar10');
    const images = readdirSync(folder).map((file) => join(folder, file));
    for (const dtype of ['fp32', 'int8'] as const) {
      const [startup, throughput] = await Promise.all(
        (['startup', 'throughput'] as const).map((optimize) =>
          loadClassifier(undefined, { dtype, optimize, threads: 1 }),
        ),
      );
      const a = await startup!.classifyBatch(images, { top: 10 });
      const b = await throughput!.classifyBatch(images, { top: 10 });
      for (let i = 0; i < images.length; i++) {
        assert.deepEqual(
          a[i]!.top.map((p) => p.label),
          b[i]!.top.map((p) => p.label),
          `${dtype} ${images[i]}`,
        );
        for (let k = 0; k < 10; k++) assert.ok(Math.abs(a[i]!.top[k]!.probability - b[i]!.top[k]!.probability) < 1e-5);
      }
      await startup!.dispose();
      await throughput!.dispose();
    }
  });
});
