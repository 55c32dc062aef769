/**
 * Bundles the two command-line programs with esbuild, so that a command starts by loading a file or two instead of
 * some 40 to 150 compiled modules (each a resolve, a read and a compile):
 *
 *   dist/cli/nin-convert.mjs               nin-convert            (package.json's bin entries point here)
 *   dist/cli/nin-sdk.mjs                   nin-sdk, whose commands stay lazy: each is a file loaded when it runs
 *   dist/cli/commands/<command>-<hash>.mjs one per command, named by content hash, sharing nothing with the others
 *   dist/cli/commands/chunks/*.mjs         what a command (or nin-convert) imports lazily, per command
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
  // Each command alone, so that main can name it by its content-hashed file; what a command itself imports lazily
  // (the converter's modules behind `convert --help`, the server client behind `predict --server`) stays lazy as
  // chunks of that command's own.
  const commandFiles = new Map<string, string>();
  const commands: OutputFile[] = [];
  for (const source of await lazyCommandSources()) {
    const result = await build({
      ...COMMAND_OPTIONS,
      entryPoints: [{ in: source, out: `commands/${basename(source, '.ts')}` }],
      entryNames: '[dir]/[name]-[hash]',
      metafile: true,
    });
    for (const [output, meta] of Object.entries(result.metafile.outputs)) {
      // Its lazily imported modules are entry points of the build too: the command's file is the one of `source`.
      if (meta.entryPoint === source) commandFiles.set(source, relative(CLI_BUNDLE_DIR, join(ROOT, output)));
    }
    commands.push(...result.outputFiles);
  }
  const sdk = await build({
    ...COMMON_OPTIONS,
    entryPoints: [{ in: 'src/cli/nin-sdk.ts', out: 'nin-sdk' }],
    plugins: [lazyCommandsAsFiles(commandFiles)],
  });
  const convert = await build({
    ...COMMAND_OPTIONS,
    entryPoints: [{ in: 'src/cli/nin-convert.ts', out: 'nin-convert' }],
  });
  if (options.clean) await rm(CLI_BUNDLE_DIR, { recursive: true, force: true });
  // Content-named files before the entry files that name them: a CLI started while another process rebuilds
  // always loads one consistent set (the CLI tests rebuild).
  const entries = new Set(Object.values(CLI_BUNDLES));
  const all = [...worker.outputFiles, ...commands, ...sdk.outputFiles, ...convert.outputFiles];
  for (const file of all.filter((f) => !entries.has(f.path))) await writeReplacing(file.path, file.contents, 0o644);
  for (const file of all.filter((f) => entries.has(f.path))) await writeReplacing(file.path, file.contents, 0o755);
}

/**
 * Commands share no chunks: Node's ESM loader pays per module (resolve, read, compile, link), and `nin-sdk predict`
 * as esbuild's chunks shared between all commands was 27 files, 21 ms of CPU to import against 7 ms for the same
 * code as one file (docs/startup.md). A command's files repeat the modules it shares with others (a larger package,
 * never a larger start-up), so an error class may exist twice in one process: describeFailure recognises errors by
 * name, not by instanceof.
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

/** A command (or nin-convert): its own import()s become chunks of its own, loaded when that path runs. */
const COMMAND_OPTIONS = {
  ...COMMON_OPTIONS,
  splitting: true,
  chunkNames: 'commands/chunks/[name]-[hash]',
  // Where the worker bundle lies in dist/cli/ (see workerModule in src/runtime/node/worker/inference-worker-handle.ts).
  define: {
    NIN_BUNDLED_INFERENCE_WORKER: JSON.stringify('inference-worker.mjs'),
    NIN_BUNDLED_PREPROCESS_WORKER: JSON.stringify('preprocess-worker.mjs'),
  },
} satisfies BuildOptions;

/** The modules nin-sdk's main loads with import() when their command runs. */
async function lazyCommandSources(): Promise<string[]> {
  const seen = new Set<string>();
  await build({
    ...COMMON_OPTIONS,
    entryPoints: ['src/cli/nin-sdk.ts'],
    plugins: [
      {
        name: 'find-lazy-commands',
        setup(plugin) {
          plugin.onResolve({ filter: /^\.\/commands\// }, (args) => {
            if (args.kind !== 'dynamic-import') return undefined;
            seen.add(relative(ROOT, join(args.resolveDir, args.path)).replace(/\.js$/, '.ts'));
            return { path: args.path, external: true };
          });
        },
      },
    ],
  });
  if (seen.size === 0) throw new Error('bundle-cli: no lazily imported command found in src/cli/nin-sdk.ts');
  return [...seen].sort();
}

/** Turns main's import('./commands/x.js') into an import of the command's own bundle. */
function lazyCommandsAsFiles(commandFiles: ReadonlyMap<string, string>): Plugin {
  return {
    name: 'lazy-commands-as-files',
    setup(plugin) {
      plugin.onResolve({ filter: /^\.\/commands\// }, (args) => {
        if (args.kind !== 'dynamic-import') return undefined;
        const source = relative(ROOT, join(args.resolveDir, args.path)).replace(/\.js$/, '.ts');
        const file = commandFiles.get(source);
        if (file === undefined) throw new Error(`bundle-cli: no bundle for ${source}`);
        return { path: `./${file}`, external: true };
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
