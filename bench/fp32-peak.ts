import * as ort from 'onnxruntime-node';
import { GraphBuilder, ops, writeOnnx } from '../src/graph/index.js';
import { seededBatch } from './seeded-input.js';

/** Square matrices of this order: large enough for MLAS's best blocking, small enough to stay in cache per panel. */
const ORDER = 1024;
/** MatMuls chained in one run, so that a run is ~100 ms and feeding and fetching the 4 MB ends costs nothing. */
const CHAIN = 16;
const RUNS = 12;

/**
 * The CPU's fp32 peak as ONNX Runtime reaches it: the best of RUNS runs of CHAIN chained 1024² MatMuls (MLAS's
 * SGEMM, the kernel under ONNX Runtime's Conv and MatMul) with `threads` intra-op threads, in GFLOP/s (a
 * multiply-add is two). Measured in the same run as what is compared with it, so that a loaded machine lowers
 * both. The best run, not the median: a peak is what the cores give when nothing else takes them.
 */
export async function measureFp32Peak(threads: number): Promise<number> {
  const g = new GraphBuilder({ name: 'fp32_peak' });
  const a = g.input('a', 'float32', [ORDER, ORDER]);
  const b = g.input('b', 'float32', [ORDER, ORDER]);
  let product = a;
  for (let i = 0; i < CHAIN; i++) product = ops.matMul(g, product, b);
  g.output(product, 'product');
  const session = await ort.InferenceSession.create(writeOnnx(g.build(), {}), { intraOpNumThreads: threads });
  try {
    // Entries of variance 1 / ORDER keep the chained products near 1: no overflow, no slow subnormals.
    const bound = Math.sqrt(3 / ORDER);
    const feeds = {
      a: new ort.Tensor('float32', seededBatch(ORDER * ORDER, 1, -1, 1), [ORDER, ORDER]),
      b: new ort.Tensor('float32', seededBatch(ORDER * ORDER, 2, -bound, bound), [ORDER, ORDER]),
    };
    await session.run(feeds);
    let best = Infinity;
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      await session.run(feeds);
      best = Math.min(best, (performance.now() - started) / 1000);
    }
    return (2 * CHAIN * ORDER ** 3) / best / 1e9;
  } finally {
    await session.release();
  }
}
