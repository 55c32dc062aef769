/** nin-sdk/train must bundle for a browser: the TrainingSession takes onnxruntime-web as easily as onnxruntime-node. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { build } from 'esbuild';
import { ROOT } from '../support/fixtures.js';

test('nin-sdk/train bundles for the browser without any Node module', async () => {
  const result = await build({
    entryPoints: [join(ROOT, 'src', 'train', 'index.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: ROOT,
  });
  assert.deepEqual(result.errors, []);
  const inputs = Object.keys(result.metafile.inputs);
  const packages = new Set(inputs.map((path) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1]).filter((name) => name !== undefined));
  assert.deepEqual([...packages].sort(), ['@bufbuild/protobuf', 'fflate', 'onnx-buf', 'pickleparser']);
  assert.deepEqual(inputs.filter((path) => /^src\/(node|cli|train\/node)\/|-node\.ts$|preprocess\/node\.ts/.test(path)), []);
});
