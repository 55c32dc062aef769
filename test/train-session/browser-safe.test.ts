/** nin-sdk/train must bundle for a browser: the TrainingSession takes onnxruntime-web as easily as onnxruntime-node. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bundleForBrowser } from '../support/browser-bundle.js';

test('nin-sdk/train bundles for the browser without any Node module', async () => {
  const { errors, inputs, packages } = await bundleForBrowser('src/train/index.ts');
  assert.deepEqual(errors, []);
  assert.deepEqual(packages, ['@bufbuild/protobuf', 'fflate', 'onnx-buf', 'valibot']);
  assert.deepEqual(
    inputs.filter((path) => /^src\/(node|cli|train\/node)\/|-node\.ts$|preprocess\/node\.ts/.test(path)),
    [],
  );
});
