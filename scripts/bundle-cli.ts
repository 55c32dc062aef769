/**
 * Bundles the two command-line programs with esbuild, so that a command starts by loading one file and the few
 * chunks it needs instead of some 40 to 150 compiled modules (each a resolve, a read and a compile):
 *
 *   dist/cli/nin-convert.mjs     nin-convert            (package.json's bin entries point here)
 *   dist/cli/nin-sdk.mjs         nin-sdk, whose commands stay lazy: each is a chunk loaded when it runs
 *   dist/cli/chunks/*.mjs        code split between them, named by content hash
 *   dist/cli/chunks/inference-worker.mjs   the worker thread of nin-sdk serve, started by path
 *
 * Native and WebAssembly packages stay outside the bundle and load from node_modules: onnxruntime-node and sharp
 * (binaries found next to their own files) and @jsquash/jpeg (its .wasm is resolved beside its loader).
 *
 *   node --import tsx scripts/bundle-cli.ts [--clean]      (npm run build runs it with --clean after tsc)
 *
 * Each file is written beside its target and renamed over it, and chunks (content-named) before the entry files, so
 * that a CLI started while another process rebuilds always loads one consistent set (the CLI tests rebuild).
 */
import { build, type OutputFile } from 'esbuild';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CLI_BUNDLE_DIR = join(ROOT, 'dist', 'cli');
export const CLI_BUNDLES = Object.freeze({
  'nin-convert': join(CLI_BUNDLE_DIR, 'nin-convert.mjs'),
  'nin-sdk': join(CLI_BUNDLE_DIR, 'nin-sdk.mjs'),
});

/** The serve command's worker thread, a bundle of its own beside the chunks (its path relative to dist/cli). */
export const INFERENCE_WORKER_BUNDLE = 'chunks/inference-worker';

/** Packages that must load from node_modules: native addons, and a loader that resolves its .wasm beside itself. */
export const EXTERNAL_PACKAGES = ['onnxruntime-node', 'sharp', '@jsquash/jpeg'] as const;

/**
 * CommonJS packages bundled into ESM (tar-stream and its streams) call require() for Node's built-ins, which
 * esbuild's ESM output cannot do by itself: every output file gets a real require.
 */
const REQUIRE_SHIM =
  "import { createRequire as __ninCreateRequire } from 'node:module'; const require = __ninCreateRequire(import.meta.url);";

export async function bundleClis(options: { readonly clean?: boolean } = {}): Promise<void> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [
      ...Object.keys(CLI_BUNDLES).map((name) => ({ in: `src/cli/${name}.ts`, out: name })),
      // nin-sdk serve starts this module in worker threads by path (src/serve/inference-worker-handle.ts).
      { in: 'src/serve/inference-worker.ts', out: INFERENCE_WORKER_BUNDLE },
    ],
    outdir: CLI_BUNDLE_DIR,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: [...EXTERNAL_PACKAGES],
    banner: { js: REQUIRE_SHIM },
    write: false,
    logLevel: 'warning',
  });
  if (options.clean) await rm(CLI_BUNDLE_DIR, { recursive: true, force: true });
  const entries = new Set(Object.values(CLI_BUNDLES));
  const isEntry = (file: OutputFile): boolean => entries.has(file.path);
  for (const file of [...result.outputFiles.filter((f) => !isEntry(f)), ...result.outputFiles.filter(isEntry)]) {
    await writeReplacing(file.path, file.contents, isEntry(file) ? 0o755 : 0o644);
  }
}

async function writeReplacing(path: string, contents: Uint8Array, mode: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await writeFile(temporary, contents);
    await chmod(temporary, mode);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await bundleClis({ clean: process.argv.includes('--clean') });
  console.log(`bundled nin-convert and nin-sdk into ${relative(process.cwd(), CLI_BUNDLE_DIR) || '.'}`);
}
