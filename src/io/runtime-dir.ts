import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * libwayland prints its error when XDG_RUNTIME_DIR is unset or not absolute. An empty private folder (mode 0700,
 * made by mkdtemp) stops it without pointing at a path that another user could create and fill with a socket.
 * Returns the folder made, for removal, or undefined when the variable was fine as it was.
 */
export function ensurePrivateRuntimeDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const current = env['XDG_RUNTIME_DIR'];
  if (current !== undefined && current.startsWith('/') && isDirectory(current)) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'nin-sdk-runtime-'));
  env['XDG_RUNTIME_DIR'] = dir;
  return dir;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

let madeForThisProcess = false;

/**
 * Before this process's first WebGPU session (Dawn probes for a Wayland display then): the private folder above,
 * made at most once and removed when the process exits.
 */
export function prepareWebGpuEnvironment(): void {
  if (madeForThisProcess) return;
  madeForThisProcess = true;
  const dir = ensurePrivateRuntimeDir(process.env);
  if (dir !== undefined) process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
}
