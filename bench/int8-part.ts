import { existsSync } from 'node:fs';
import { physicalCoreCount } from '../src/io/cpu-cores.js';
import { defaultModelPath } from '../src/node/default-model.js';
import {
  runInt8ThroughputCase,
  summarizeInt8Throughput,
  type Int8ThroughputCase,
  type Int8ThroughputSummary,
} from './int8-ort-throughput.js';
import { runWasmInt8Bench, type WasmInt8Result } from './int8-wasm.js';
import type { BenchOptions } from './options.js';
import { formatTable } from './text-table.js';

const BATCHES = [1, 32] as const;
const MINIMUM_RUNS = 10;
/** What issue 19 asks of int8: ≥ 2.5× float32 on ONNX Runtime's CPU provider, ≥ 1.5× in wasm. */
const GOALS = { ort: 2.5, wasm: 1.5 } as const;

export interface Int8Section {
  readonly threads: number;
  readonly summary: {
    readonly ort: readonly Int8ThroughputSummary[];
    readonly wasm?: WasmInt8Result;
    readonly wasmSkipped?: string;
  };
  readonly samples: { readonly ort: readonly Int8ThroughputCase[] };
}

/** The embedded model, int8 against float32: onnxruntime-node at batch 1 and 32, then onnxruntime-web's wasm in Chromium. */
export async function runInt8Part(options: BenchOptions, progress: (line: string) => void): Promise<Int8Section> {
  const fp32 = defaultModelPath('fp32');
  const int8 = defaultModelPath('int8');
  if (!existsSync(int8)) throw new Error(`${int8} is missing: make it with nin-sdk quantize (see docs/int8.md)`);
  const threads = physicalCoreCount();
  const samples: Int8ThroughputCase[] = [];
  // One thread as well as the SDK's one per physical core: on a machine shared with other work, a multi-threaded
  // run at batch 1 mostly measures how long its threads wait for each other, and one thread shows the kernels' gain.
  for (const pool of [...new Set([1, threads])]) {
    for (const batch of BATCHES) {
      progress(
        `int8: onnxruntime-node batch ${batch}, ${pool} thread${pool === 1 ? '' : 's'}, ${options.secondsPerCase} s`,
      );
      samples.push(await runInt8ThroughputCase(fp32, int8, batch, pool, options.secondsPerCase, MINIMUM_RUNS));
    }
  }
  progress('int8: onnxruntime-web wasm in Chromium');
  let wasm: WasmInt8Result | undefined;
  let wasmSkipped: string | undefined;
  try {
    wasm = await runWasmInt8Bench(fp32, int8, options.secondsPerCase);
  } catch (error) {
    wasmSkipped = error instanceof Error ? error.message : String(error);
    progress(`int8: wasm skipped: ${wasmSkipped}`);
  }
  return {
    threads,
    summary: { ort: samples.map(summarizeInt8Throughput), wasm, wasmSkipped },
    samples: { ort: samples },
  };
}

export function int8Tables(section: Int8Section): string[] {
  const rows = section.summary.ort.map((s) => [
    'onnxruntime-node cpu',
    String(s.batch),
    `${s.threads}`,
    s.fp32ImagesPerSecond.toFixed(0),
    s.int8ImagesPerSecond.toFixed(0),
    `${s.speedup.toFixed(2)}×`,
    `≥ ${GOALS.ort}×`,
  ]);
  const w = section.summary.wasm;
  if (w !== undefined) {
    for (const c of w.cases) {
      rows.push([
        `onnxruntime-web wasm (Chromium)`,
        String(c.batch),
        `${c.threads}`,
        c.fp32ImagesPerSecond.toFixed(0),
        c.int8ImagesPerSecond.toFixed(0),
        `${(c.int8ImagesPerSecond / c.fp32ImagesPerSecond).toFixed(2)}×`,
        `≥ ${GOALS.wasm}×`,
      ]);
    }
  }
  const table = formatTable(
    ['int8 vs fp32 (embedded model)', 'batch', 'threads', 'fp32 img/s', 'int8 img/s', 'int8 / fp32', 'goal'],
    rows,
  );
  return [
    section.summary.wasmSkipped === undefined ? table : `${table}\nwasm not measured: ${section.summary.wasmSkipped}`,
  ];
}
