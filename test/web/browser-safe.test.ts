/**
 * src/web must bundle for a browser with nothing from Node: no node: built-ins (esbuild refuses them on the
 * browser platform), no sharp, no onnxruntime-node, and onnxruntime-web's WebGPU build rather than another.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { build } from 'esbuild';
import { ROOT } from '../support/fixtures.js';

test('nin-sdk/web bundles for the browser without any Node module', async () => {
  const result = await build({
    entryPoints: [join(ROOT, 'src', 'web', 'index.ts')],
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
  assert.deepEqual([...packages].sort(), ['@bufbuild/protobuf', 'fflate', 'onnx-buf', 'onnxruntime-web', 'pickleparser']);
  assert.ok(inputs.includes('node_modules/onnxruntime-web/dist/ort.webgpu.bundle.min.mjs'), inputs.filter((i) => i.includes('onnxruntime')).join(', '));
  const outsideProject = inputs.filter((path) => !path.startsWith('node_modules/') && !/^(src|converters)\//.test(path));
  assert.deepEqual(outsideProject, []);
  const nodeOnly = inputs.filter((path) => /^src\/(node|cli|train)\/|decode-sharp|preprocess\/node\.ts/.test(path));
  assert.deepEqual(nodeOnly, []);
});
