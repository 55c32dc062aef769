/**
 * Bundles the two command-line programs with esbuild, so that a command starts by loading a file or two instead of
 * some 40 to 150 compiled modules (each a resolve, a read and a compile):
 *
 *   dist/cli/nin-convert.mjs               nin-convert            (package.json's bin entries point here)
 *   dist/cli/nin-sdk.mjs                   nin-sdk, whose commands stay lazy: each is a file loaded when it runs
 *   dist/cli/commands/<module>-<hash>.mjs  one per module of src/cli imported with import(): nin-sdk's commands
 *                                          (src/cli/nin-sdk.ts's table), nin-convert's converter and quantizer;
 *                                          named by content hash, sharing nothing with the others
 *   dist/cli/inference-worker.mjs          ONNX Runtime's worker threads (`nin-sdk serve`, `nin-sdk predict`)
 *   dist/cli/preprocess-worker.mjs         serve's image decoding and preprocessing, off its HTTP thread
 *
 * Native and WebAssembly packages stay outside the bundle and load from node_modules: onnxruntime-node and sharp
 * (binaries found next to their own files) and @jsquash/jpeg (its .wasm is resolved beside its loader).
 *
 *   node --import tsx scripts/bundle-cli.ts [--clean]      (npm run build runs it with --clean after tsc)
 *
 * Each file is written beside its target and renamed over it, and the content-named files before the entry files,
 * so that a CLI started while another process rebuilds always loads one consistent set (the CLI tests rebuild).
 */
import { build, type BuildOptions, type OutputFile, type Plugin } from 'esbuild';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CLI_BUNDLE_DIR = join(ROOT, 'dist', 'cli');
export const CLI_BUNDLES = Object.freeze({
  'nin-convert': join(CLI_BUNDLE_DIR, 'nin-convert.mjs'),
  'nin-sdk': join(CLI_BUNDLE_DIR, 'nin-sdk.mjs'),
});

/** Packages that must load from node_modules: native addons, and a loader that resolves its .wasm beside itself. */
export const EXTERNAL_PACKAGES = ['onnxruntime-node', 'sharp', '@jsquash/jpeg'] as const;

/**
 * CommonJS packages bundled into ESM (tar-stream and its streams) call require() for Node's built-ins, which
 * esbuild's ESM output cannot do by itself: every output file gets a real require.
 */
const REQUIRE_SHIM =
  "import { createRequire as __ninCreateRequire } from 'node:module'; const require = __ninCreateRequire(import.meta.url);";

export async function bundleClis(options: { readonly clean?: boolean } = {}): Promise<void> {
  // serve and predict run ONNX Runtime in worker threads, each started from a module file of its own.
  const worker = await build({
    ...COMMON_OPTIONS,
    entryPoints: [
      { in: 'src/runtime/node/worker/inference-worker.ts', out: 'inference-worker' },
      { in: 'src/serve/preprocess-worker.ts', out: 'preprocess-worker' },
    ],
  });
  // Every module of src/cli that a bundled file imports with import() (nin-sdk's commands; the converter and the
  // quantizer behind nin-convert) is bundled alone into a content-named file, those it imports lazily first, so that
  // each file can name the ones it loads.
  const lazyFiles = new Map<string, string>();
  const lazy: OutputFile[] = [];
  for (const source of await lazyModulesInBuildOrder(Object.values(CLI_SOURCES))) {
    const result = await build({
      ...LAZY_OPTIONS,
      entryPoints: [{ in: source, out: `commands/${basename(source, '.ts')}` }],
      entryNames: '[dir]/[name]-[hash]',
      metafile: true,
      plugins: [lazyModulesAsFiles(lazyFiles, join(CLI_BUNDLE_DIR, 'commands'))],
    });
    const [output] = Object.keys(result.metafile.outputs);
    lazyFiles.set(source, join(ROOT, output!));
    lazy.push(...result.outputFiles);
  }
  const entries: OutputFile[] = [];
  for (const [name, source] of Object.entries(CLI_SOURCES)) {
    const result = await build({
      ...LAZY_OPTIONS,
      entryPoints: [{ in: source, out: name }],
      plugins: [lazyModulesAsFiles(lazyFiles, CLI_BUNDLE_DIR)],
    });
    entries.push(...result.outputFiles);
  }
  if (options.clean) await rm(CLI_BUNDLE_DIR, { recursive: true, force: true });
  // Content-named files before the entry files that name them: a CLI started while another process rebuilds
  // always loads one consistent set (the CLI tests rebuild).
  for (const file of [...worker.outputFiles, ...lazy]) await writeReplacing(file.path, file.contents, 0o644);
  for (const file of entries) await writeReplacing(file.path, file.contents, 0o755);
}

/** The two programs' sources, by the name of their bundle in dist/cli. */
const CLI_SOURCES = { 'nin-sdk': 'src/cli/nin-sdk.ts', 'nin-convert': 'src/cli/nin-convert.ts' } as const;

/**
 * No bundle shares a chunk with another: Node's ESM loader pays per module (resolve, read, compile, link), and
 * `nin-sdk predict` as esbuild's chunks shared between all commands was 27 files (docs/startup.md). Nor does a file
 * share chunks with what it imports lazily: esbuild's code splitting follows every re-export of an entry module
 * (src/<layer>/index.ts), used or not, so a lazily imported module reached through one entry module that the eager
 * side also imports lands in a chunk that the eager side loads. A lazy module is therefore bundled alone, and the
 * files repeat the modules they share (a larger package, never a larger start-up); an error class may exist twice in
 * one process: describeFailure recognises errors by name, not by instanceof.
 */
const COMMON_OPTIONS = {
  absWorkingDir: ROOT,
  outdir: CLI_BUNDLE_DIR,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: false,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: [...EXTERNAL_PACKAGES],
  banner: { js: REQUIRE_SHIM },
  write: false,
  logLevel: 'warning',
} satisfies BuildOptions;

/** An entry or a lazily loaded module of the CLIs. */
const LAZY_OPTIONS = {
  ...COMMON_OPTIONS,
  // Where the worker bundles lie in dist/cli/ (see workerModule in src/runtime/node/worker/inference-worker-handle.ts).
  define: {
    NIN_BUNDLED_INFERENCE_WORKER: JSON.stringify('inference-worker.mjs'),
    NIN_BUNDLED_PREPROCESS_WORKER: JSON.stringify('preprocess-worker.mjs'),
  },
} satisfies BuildOptions;

/** The modules of src/cli that `sources` import with import(), directly or through one another, leaves first. */
async function lazyModulesInBuildOrder(sources: readonly string[]): Promise<string[]> {
  const order: string[] = [];
  const visiting = new Set<string>();
  const visit = async (source: string, isLazy: boolean): Promise<void> => {
    if (order.includes(source)) return;
    if (visiting.has(source)) throw new Error(`bundle-cli: ${source} is imported lazily by a module it loads`);
    visiting.add(source);
    for (const imported of await lazyImportsOf(source)) await visit(imported, true);
    visiting.delete(source);
    if (isLazy) order.push(source);
  };
  for (const source of sources) await visit(source, false);
  if (order.length === 0) throw new Error('bundle-cli: no lazily imported module found in the CLIs');
  return order;
}

/** The modules of src/cli that `source`'s bundle imports with import(). */
async function lazyImportsOf(source: string): Promise<string[]> {
  const seen = new Set<string>();
  await build({
    ...COMMON_OPTIONS,
    entryPoints: [source],
    plugins: [
      {
        name: 'find-lazy-modules',
        setup(plugin) {
          plugin.onResolve({ filter: /^\./ }, (args) => {
            if (args.kind !== 'dynamic-import') return undefined;
            const module = lazySource(args.resolveDir, args.path);
            if (module === undefined) return undefined;
            seen.add(module);
            return { path: args.path, external: true };
          });
        },
      },
    ],
  });
  return [...seen].sort();
}

/** The source of a relative import() if it is a module of src/cli (others are bundled in place). */
function lazySource(resolveDir: string, path: string): string | undefined {
  const source = relative(ROOT, join(resolveDir, path)).replace(/\.js$/, '.ts');
  return source.startsWith('src/cli/') ? source : undefined;
}

/** Turns import('./x.js') of a lazily loaded CLI module into an import of its own bundle, from `outputDir`. */
function lazyModulesAsFiles(lazyFiles: ReadonlyMap<string, string>, outputDir: string): Plugin {
  return {
    name: 'lazy-modules-as-files',
    setup(plugin) {
      plugin.onResolve({ filter: /^\./ }, (args) => {
        if (args.kind !== 'dynamic-import') return undefined;
        const source = lazySource(args.resolveDir, args.path);
        if (source === undefined) return undefined;
        const file = lazyFiles.get(source);
        if (file === undefined) throw new Error(`bundle-cli: no bundle for ${source}`);
        return { path: `./${relative(outputDir, file)}`, external: true };
      });
    },
  };
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
