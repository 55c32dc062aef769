/**
 * Builds the example page with esbuild into a folder any static server can serve:
 *
 *   main.js (+ .map)                          the page's code, nin-sdk/web and onnxruntime-web bundled
 *   training-worker.js (+ .map)               the training panel's worker: fineTune, off the page's thread
 *   index.html, style.css                     copied
 *   ort/ort-wasm-simd-threaded.asyncify.mjs   onnxruntime-web/webgpu's WebAssembly loader and binary (wasm and
 *   ort/ort-wasm-simd-threaded.asyncify.wasm  WebGPU providers); the page passes wasmPaths: '<page>/ort/'
 *   nin-cifar10.onnx                          nin-sdk's default model, fetched by loadClassifier() with no model
 *   nin-cifar10-int8.onnx                     the same quantized to int8: the default on wasm
 *
 *   node --import tsx examples/web/build.ts [outDir]      (default: examples/web/dist)
 */
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const EXAMPLE = fileURLToPath(new URL('.', import.meta.url));
const require = createRequire(import.meta.url);

/** The files that onnxruntime-web/webgpu (what nin-sdk/web imports) loads at run time, from `wasmPaths`. */
export const ORT_RUNTIME_FILES = [
  'ort-wasm-simd-threaded.asyncify.mjs',
  'ort-wasm-simd-threaded.asyncify.wasm',
] as const;

export interface BuildOptions {
  /** Other pages to bundle next to main.js (entry .ts → <name>.js), with their .html; the browser tests add theirs. */
  readonly extraPages?: readonly { readonly script: string; readonly html: string }[];
}

export async function buildExample(outDir: string, options: BuildOptions = {}): Promise<void> {
  const pages = [
    { script: join(EXAMPLE, 'main.ts'), html: join(EXAMPLE, 'index.html') },
    ...(options.extraPages ?? []),
  ];
  // The training panel's worker: a script of its own, started by the page with `new Worker(url, { type: 'module' })`.
  const workers = [join(EXAMPLE, 'training-worker.ts')];
  await mkdir(join(outDir, 'ort'), { recursive: true });
  await build({
    entryPoints: [...pages.map((page) => page.script), ...workers].map((script) => ({
      in: script,
      out: basename(script, '.ts'),
    })),
    outdir: outDir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    logLevel: 'warning',
  });
  await Promise.all([
    ...pages.map((page) => copyFile(page.html, join(outDir, basename(page.html)))),
    copyFile(join(EXAMPLE, 'style.css'), join(outDir, 'style.css')),
    ...ORT_RUNTIME_FILES.map((file) => copyFile(require.resolve(`onnxruntime-web/${file}`), join(outDir, 'ort', file))),
    copyFile(require.resolve('nin-sdk/models/nin-cifar10.onnx'), join(outDir, 'nin-cifar10.onnx')),
    copyFile(require.resolve('nin-sdk/models/nin-cifar10-int8.onnx'), join(outDir, 'nin-cifar10-int8.onnx')),
  ]);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = resolve(process.argv[2] ?? join(EXAMPLE, 'dist'));
  await buildExample(outDir);
  console.log(`built the example page into ${outDir}; serve it with: npm run serve:web-example`);
}
