import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Provider } from '../providers.js';

/**
 * The libraries onnxruntime-node's CUDA provider loads from its binding's folder, where they are known. On linux-x64
 * its npm package ships without them (its install script downloads them from outside the npm registry, which most
 * nin-sdk installs skip).
 */
const CUDA_LIBRARIES: Readonly<Partial<Record<string, readonly string[]>>> = {
  'linux/x64': ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'],
};

/**
 * Why a provider cannot start, when that is known without asking ONNX Runtime; undefined when ONNX Runtime must be
 * asked. A failed attempt costs little, but ONNX Runtime logs it through its process-wide logger (a red
 * `[E:onnxruntime:…] Failed to load library` line on stderr) whatever the session's log level, on every CPU-only
 * machine that lists `cuda` first: this says the same in nin-sdk's own error instead.
 */
export function providerLibraryMissing(provider: Provider): string | undefined {
  if (provider !== 'cuda') return undefined;
  const libraries = CUDA_LIBRARIES[`${process.platform}/${process.arch}`];
  if (libraries === undefined) return undefined;
  const packageJson = createRequire(import.meta.url).resolve('onnxruntime-node/package.json');
  const folder = join(dirname(packageJson), 'bin', 'napi-v6', process.platform, process.arch);
  const missing = libraries.find((library) => !existsSync(join(folder, library)));
  return missing === undefined ? undefined : `onnxruntime-node's CUDA binaries are not installed (no ${missing})`;
}
