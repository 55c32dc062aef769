import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { decodeImage } from './src/preprocess/node/index.js';
import { fineTune } from './src/web/index.js';
import { loadClassifier } from './src/index.js';
import { ort } from './src/web/ort-web.js';
ort.env.wasm.numThreads = 1;
const root = '/tmp/h30data';
const images = [];
for (const folder of ['plane', 'toad']) for (const f of readdirSync(join(root, 'train', folder)).sort())
  images.push({ folder, image: (await decodeImage(readFileSync(join(root, 'train', folder, f)))).pixels });
const epochs = Number(process.argv[2] ?? 3), batchSize = Number(process.argv[3] ?? 16), lr = process.argv[4] ? Number(process.argv[4]) : undefined;
const t0 = performance.now();
const run = await fineTune({ images, model: readFileSync('models/nin-cifar10.onnx'), epochs, batchSize, lr, validation: 0.2, freeze: (process.env.FREEZE as 'features' | undefined),
  onBatch: (p) => console.log('batch', p.epoch, p.batch, p.batches, p.loss.toFixed(4), p.imagesPerSecond?.toFixed(1)),
  onEpoch: (e) => console.log('epoch', e.epoch, e.trainLoss.toFixed(4), e.validation?.accuracy) });
console.log('took', ((performance.now() - t0) / 1000).toFixed(1), run.labels, run.provider, run.bestEpoch, run.bestAccuracy, run.trainCount, run.validationCount);
const c = await loadClassifier(run.onnx, { provider: 'cpu' });
let right = 0, n = 0;
for (const folder of ['plane', 'toad']) for (const f of readdirSync(join(root, 'held', folder))) {
  const top = await c.classify(join(root, 'held', folder, f)); n++; if (top[0]!.label === folder) right++; }
console.log('held-out', right, '/', n);
