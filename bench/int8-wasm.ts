import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium } from 'playwright-core';
import { startStaticServer } from '../examples/web/serve.js';
import { physicalCoreCount } from '../src/io/cpu-cores.js';
import { PROJECT_ROOT } from './paths.js';

/** Debian's chromium, as the browser tests use it. */
const CHROMIUM = '/usr/bin/chromium';
const BATCHES = [1, 32];

export interface WasmInt8Case {
  /** onnxruntime-web's wasm threads (ort.env.wasm.numThreads), fixed per page: each count gets a fresh page. */
  readonly threads: number;
  readonly batch: number;
  readonly fp32ImagesPerSecond: number;
  readonly int8ImagesPerSecond: number;
  readonly runs: number;
}

export interface WasmInt8Result {
  /** The page is cross-origin isolated, so onnxruntime-web may start threads. */
  readonly crossOriginIsolated: boolean;
  readonly cases: readonly WasmInt8Case[];
}

/**
 * The page: onnxruntime-web's wasm build as served to browsers, both model files, and a function that times them
 * as the Node side does (warm-up, then single runs alternating A B B A … for the budget, medians).
 */
const PAGE = `<!doctype html><meta charset="utf-8"><title>nin-sdk int8 wasm bench</title>
<script type="module">
import * as ort from '/ort/ort.wasm.min.mjs';
ort.env.wasm.wasmPaths = '/ort/';
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
window.benchInt8 = async (seconds, threads, batches) => {
  ort.env.wasm.numThreads = threads;
  const load = async (url) => new Uint8Array(await (await fetch(url)).arrayBuffer());
  const options = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' };
  const sessions = [
    await ort.InferenceSession.create(await load('/models/nin-cifar10.onnx'), options),
    await ort.InferenceSession.create(await load('/models/nin-cifar10-int8.onnx'), options),
  ];
  const cases = [];
  for (const batch of batches) {
    const data = Float32Array.from({ length: batch * 3 * 32 * 32 }, (_, i) => ((i * 7919) % 4001) / 1000 - 2);
    const feeds = { input: new ort.Tensor('float32', data, [batch, 3, 32, 32]) };
    for (const s of sessions) for (let i = 0; i < 3; i++) await s.run(feeds);
    const times = [[], []];
    const started = performance.now();
    for (let pair = 0; times[1].length < 5 || performance.now() - started < seconds * 1000; pair++) {
      for (const k of pair % 2 ? [1, 0] : [0, 1]) {
        const t0 = performance.now();
        await sessions[k].run(feeds);
        times[k].push(performance.now() - t0);
      }
    }
    cases.push({ threads: ort.env.wasm.numThreads, batch, fp32ImagesPerSecond: batch / (median(times[0]) / 1000), int8ImagesPerSecond: batch / (median(times[1]) / 1000), runs: times[0].length });
  }
  for (const s of sessions) await s.release();
  return { crossOriginIsolated: self.crossOriginIsolated, cases };
};
document.body.dataset.ready = '1';
</script><body></body>`;

/**
 * int8 against float32 in onnxruntime-web's wasm backend in headless Chromium, `secondsPerCase` per batch size, with
 * one thread and with one per physical core. One thread is what onnxruntime-web picks by itself on a 2-core machine
 * (half the logical CPUs, at most 4), so what nin-sdk/web, which leaves numThreads alone, runs with there.
 */
export async function runWasmInt8Bench(
  fp32Path: string,
  int8Path: string,
  secondsPerCase: number,
): Promise<WasmInt8Result> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (apt-get install chromium)`);
  if (dirname(fp32Path) !== dirname(int8Path)) throw new Error('the two models must be in one folder');
  const site = await mkdtemp(join(tmpdir(), 'nin-int8-wasm-'));
  const profile = await mkdtemp(join(tmpdir(), 'nin-int8-chromium-'));
  await writeFile(join(site, 'index.html'), PAGE);
  const server = await startStaticServer({
    '/': site,
    '/ort/': join(PROJECT_ROOT, 'node_modules/onnxruntime-web/dist'),
    '/models/': dirname(fp32Path),
  });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless=new', '--no-sandbox', '--no-first-run'],
  });
  try {
    const runs: WasmInt8Result[] = [];
    for (const threads of [...new Set([1, physicalCoreCount()])]) {
      // A fresh page: onnxruntime-web fixes its thread count when it first initialises its wasm module.
      const page = await context.newPage();
      await page.goto(server.url);
      await page.waitForSelector('body[data-ready="1"]', { state: 'attached', timeout: 60_000 });
      runs.push(
        await page.evaluate(
          ([seconds, count, batches]) =>
            (
              window as unknown as { benchInt8: (s: number, t: number, b: number[]) => Promise<WasmInt8Result> }
            ).benchInt8(seconds, count, batches),
          [secondsPerCase, threads, BATCHES] as [number, number, number[]],
        ),
      );
      await page.close();
    }
    return { crossOriginIsolated: runs.every((r) => r.crossOriginIsolated), cases: runs.flatMap((r) => r.cases) };
  } finally {
    await context.close();
    await server.close();
    await rm(site, { recursive: true, force: true });
    await rm(profile, { recursive: true, force: true });
  }
}
