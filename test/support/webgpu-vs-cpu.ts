/**
 * Run in a child process by test/sdk/webgpu.test.ts, with VK_DRIVER_FILES pointing at SwiftShader: Dawn reads
 * the Vulkan driver list when it first starts, so the variable must be set before the process loads
 * onnxruntime-node. Prints one JSON line: the providers that ran and the largest difference between them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { convertCheckpoint } from '../../src/convert/index.js';
import { loadClassifier } from '../../src/index.js';
import { CHECKPOINTS, FIXTURES, maxAbsDiff } from './fixtures.js';

const { onnx } = await convertCheckpoint(readFileSync(join(CHECKPOINTS, 'cifar-small.pth')));
const image = join(FIXTURES, 'images', 'cat.jpg');
const cpu = await loadClassifier(onnx, { provider: 'cpu' });
const gpu = await loadClassifier(onnx, { provider: 'webgpu', strict: true });
const scores = async (c: typeof cpu) => {
  const { top, provider } = await c.classify(image, { top: 10 });
  const values = new Float32Array(10);
  for (const p of top) values[p.index] = p.probability;
  return { values, provider };
};
const [a, b] = [await scores(cpu), await scores(gpu)];
console.log(JSON.stringify({ cpu: a.provider, gpu: b.provider, maxDiff: maxAbsDiff(a.values, b.values) }));
await cpu.dispose();
await gpu.dispose();
