/**
 * src/web must bundle for a browser with nothing from Node: no node: built-ins (esbuild refuses them on the
 * browser platform), no sharp, no onnxruntime-node, and onnxruntime-web's WebGPU build rather than another; the
 * training core (src/train) without its Node folders.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bundleForBrowser } from '../support/browser-bundle.js';

test('nin-sdk/web bundles for the browser without any Node module', async () => {
  const { errors, inputs, packages } = await bundleForBrowser('src/web/index.ts');
  assert.deepEqual(errors, []);
  assert.deepEqual(packages, ['@bufbuild/protobuf', 'fflate', 'onnx-buf', 'onnxruntime-web', 'valibot']);
  assert.ok(
    inputs.includes('node_modules/onnxruntime-web/dist/ort.webgpu.bundle.min.mjs'),
    inputs.filter((i) => i.includes('onnxruntime')).join(', '),
  );
  const outsideProject = inputs.filter((path) => !path.startsWith('node_modules/') && !/^src\//.test(path));
  assert.deepEqual(outsideProject, []);
  // nin-sdk/train's browser-safe core comes in for fineTune; its Node parts (src/train/node/, src/train/data/node/)
  // must not.
  const nodeOnly = inputs.filter((path) => /^src\/(node|cli|io)\/|\/node\//.test(path));
  assert.deepEqual(nodeOnly, []);
  assert.ok(inputs.includes('src/train/fine-tune-run.ts'), 'fineTune runs the training core in the page');
});
