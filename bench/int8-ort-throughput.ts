import * as ort from 'onnxruntime-node';
import { pairedSessionOptions } from './paired-session-options.js';
import { seededBatch } from './seeded-input.js';
import { median } from './stats.js';

/** CIFAR-10 input, values spread like normalised images. */
const SIDE = 32;
const WARM_UP_RUNS = 3;

export interface Int8ThroughputCase {
  readonly batch: number;
  readonly threads: number;
  readonly fp32RunSeconds: readonly number[];
  readonly int8RunSeconds: readonly number[];
}

/**
 * The embedded model's int8 file against its float32 file on onnxruntime-node's CPU provider, same session options
 * (all graph optimisations, intra-op threads pinned, pools that sleep between runs: pairedSessionOptions), same
 * seeded batch. Single runs alternate A B B A … until the budget is spent, so that load from other work falls on
 * both alike; medians are compared.
 */
export async function runInt8ThroughputCase(
  fp32Path: string,
  int8Path: string,
  batch: number,
  threads: number,
  secondsPerCase: number,
  minimumRuns: number,
): Promise<Int8ThroughputCase> {
  const options = pairedSessionOptions(threads);
  const fp32 = await ort.InferenceSession.create(fp32Path, options);
  const int8 = await ort.InferenceSession.create(int8Path, options);
  try {
    const data = seededBatch(batch * 3 * SIDE * SIDE, 4242 + batch, -2, 2);
    const feeds = (s: ort.InferenceSession) => ({
      [s.inputNames[0]!]: new ort.Tensor('float32', data, [batch, 3, SIDE, SIDE]),
    });
    const sides = [
      { session: fp32, feeds: feeds(fp32), runSeconds: [] as number[] },
      { session: int8, feeds: feeds(int8), runSeconds: [] as number[] },
    ] as const;
    for (const side of sides) for (let i = 0; i < WARM_UP_RUNS; i++) await side.session.run(side.feeds);
    const started = performance.now();
    for (
      let pair = 0;
      sides.some((s) => s.runSeconds.length < minimumRuns) || performance.now() - started < secondsPerCase * 1000;
      pair++
    ) {
      for (const side of pair % 2 === 0 ? sides : [...sides].reverse()) {
        const t0 = process.hrtime.bigint();
        await side.session.run(side.feeds);
        side.runSeconds.push(Number(process.hrtime.bigint() - t0) / 1e9);
      }
    }
    return { batch, threads, fp32RunSeconds: sides[0].runSeconds, int8RunSeconds: sides[1].runSeconds };
  } finally {
    await fp32.release();
    await int8.release();
  }
}

export interface Int8ThroughputSummary {
  readonly batch: number;
  readonly threads: number;
  readonly fp32ImagesPerSecond: number;
  readonly int8ImagesPerSecond: number;
  /** int8 images/s ÷ fp32 images/s (medians). */
  readonly speedup: number;
  readonly runs: number;
}

export function summarizeInt8Throughput(c: Int8ThroughputCase): Int8ThroughputSummary {
  const fp32 = c.batch / median(c.fp32RunSeconds);
  const int8 = c.batch / median(c.int8RunSeconds);
  return {
    batch: c.batch,
    threads: c.threads,
    fp32ImagesPerSecond: fp32,
    int8ImagesPerSecond: int8,
    speedup: int8 / fp32,
    runs: c.fp32RunSeconds.length,
  };
}
