/**
 * Imported for its effect: tests run nin-sdk from TypeScript source, so its ONNX Runtime worker threads must start
 * the .ts worker module with tsx's loader registered inside them (loader flags do not reach worker threads).
 */
import { Worker } from 'node:worker_threads';
import { startWorkersWith } from '../../src/runtime/node/worker/inference-worker-handle.js';
import { startPreprocessWorkersWith } from '../../src/serve/preprocess-pool.js';

startWorkersWith((setup) => {
  const tsx = import.meta.resolve('tsx/esm/api');
  const module = new URL('../../src/runtime/node/worker/inference-worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(module)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: setup });
});

let preprocessReplies = 0;

/** How many images serve's preprocessing workers have answered for (a tensor or an error), in this process. */
export function preprocessedInWorkers(): number {
  return preprocessReplies;
}

startPreprocessWorkersWith(() => {
  const tsx = import.meta.resolve('tsx/esm/api');
  const module = new URL('../../src/serve/preprocess-worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(module)}); });`;
  const worker = new Worker(bootstrap, { eval: true });
  worker.on('message', () => preprocessReplies++);
  return worker;
});
