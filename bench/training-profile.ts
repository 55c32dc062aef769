/**
 * Per-op profile of one training step at full width: ONNX Runtime's own profiler (enableProfiling) on the
 * training model, summed by op type and by forward / backward. Not part of `npm run bench`:
 *   node --import tsx bench/training-profile.ts [--batch 128] [--steps 3] [--threads 2] [--batch-norm]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { NIN_CIFAR10 } from '../src/convert/index.js';
import { writeOnnx } from '../src/graph/index.js';
import { buildTrainingGraphs } from '../src/train/artifacts.js';
import { architectureFromWidths, dropoutLayers, initialParameters, ninForwardModel } from '../src/train/index.js';
import { seededBatch } from './seeded-input.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const at = args.indexOf(`--${name}`);
  return at < 0 ? fallback : Number(args[at + 1]);
};
const batch = option('batch', 128);
const steps = option('steps', 3);
const threads = option('threads', 2);
const widths = [192, 160, 96, 192, 192, 192, 192, 192, 10];

const architecture = architectureFromWidths(NIN_CIFAR10, widths, { batchNorm: args.includes('--batch-norm') });
const model = ninForwardModel(architecture);
const graphs = buildTrainingGraphs(model, { optimizer: 'sgd' });
const forwardNames = new Set(model.train.nodes.map((n) => n.name));
const bytes = writeOnnx(graphs.training, { producerName: 'nin-sdk' });
const profileDir = mkdtempSync(join(tmpdir(), 'nin-train-profile-'));
const prefix = join(profileDir, 'profile');
const session = await ort.InferenceSession.create(bytes, {
  intraOpNumThreads: threads,
  enableProfiling: true,
  profileFilePrefix: prefix,
});
const parameters = initialParameters(architecture, 'he', 0);
const feeds: Record<string, ort.Tensor> = {};
for (const p of graphs.parameters)
  feeds[p.name] = new ort.Tensor('float32', parameters.get(p.name)!.data, [...p.shape]);
feeds.input = new ort.Tensor('float32', seededBatch(batch * 3 * 32 * 32, 1, -2, 2), [batch, 3, 32, 32]);
const targets = new Float32Array(batch * 10);
for (let i = 0; i < batch; i++) targets[i * 10 + ((i * 7) % 10)] = 1;
feeds.labels = new ort.Tensor('float32', targets, [batch, 10]);
for (const m of dropoutLayers(model))
  feeds[m.name] = new ort.Tensor('float32', new Float32Array(batch * m.shape.reduce((a, b) => a * b, 1)).fill(2), [
    batch,
    ...m.shape,
  ]);
const walls: number[] = [];
for (let s = 0; s < steps + 1; s++) {
  const t0 = performance.now();
  await session.run(feeds);
  walls.push(performance.now() - t0);
}
session.endProfiling();
await session.release();
const file = join(profileDir, readdirSync(profileDir)[0]!);

interface Event {
  readonly cat: string;
  readonly name: string;
  readonly dur: number;
  readonly args?: { readonly op_name?: string };
}
const events = (JSON.parse(readFileSync(file, 'utf8')) as Event[]).filter(
  (e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'),
);
rmSync(profileDir, { recursive: true, force: true });
// The first run warms up: keep the last `steps` runs' events (each run lists every node once).
const perRun = events.length / (steps + 1);
const timed = events.slice(events.length - perRun * steps);
const byKey = new Map<string, { us: number; count: number }>();
let total = 0;
const nodeTimes = new Map<string, number>();
for (const e of timed) {
  const node = e.name.slice(0, -'_kernel_time'.length);
  const side = forwardNames.has(node) ? 'fwd' : 'bwd';
  const key = `${side} ${e.args?.op_name ?? '?'}`;
  const entry = byKey.get(key) ?? { us: 0, count: 0 };
  entry.us += e.dur / steps;
  entry.count += 1 / steps;
  byKey.set(key, entry);
  nodeTimes.set(
    `${side} ${e.args?.op_name} ${node}`,
    (nodeTimes.get(`${side} ${e.args?.op_name} ${node}`) ?? 0) + e.dur / steps,
  );
  total += e.dur / steps;
}
console.log(`batch ${batch}, ${threads} threads; wall per run ms: ${walls.map((w) => w.toFixed(0)).join(' ')}`);
console.log(`sum of kernel times per step: ${(total / 1000).toFixed(1)} ms`);
for (const [key, { us, count }] of [...byKey].sort((a, b) => b[1].us - a[1].us))
  console.log(
    `${key.padEnd(28)} ${(us / 1000).toFixed(1).padStart(8)} ms ${((100 * us) / total).toFixed(1).padStart(5)} %  ×${Math.round(count)}`,
  );
console.log('\ntop nodes:');
for (const [key, us] of [...nodeTimes].sort((a, b) => b[1] - a[1]).slice(0, 40))
  console.log(`${key.padEnd(70)} ${(us / 1000).toFixed(1).padStart(8)} ms`);
