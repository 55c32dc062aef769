import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { ensurePrivateRuntimeDir } from '../io/index.js';

/**
 * Native libraries loaded for a GPU provider write to the process's stderr (file descriptor 2) directly, where
 * JavaScript cannot intercept them: libwayland's `error: XDG_RUNTIME_DIR is invalid…` (twice) when Dawn probes
 * for a display, Dawn's `Warning: Vulkan … required` blocks for each unsuitable Vulkan driver, and ONNX Runtime's
 * coloured log lines for a provider library that fails to load. nin-sdk reports provider failures itself, in
 * one line; so a command that may start such a provider runs in a child whose stderr passes through the filter
 * below, and keeps only nin-sdk's own lines (and anything not known to be such noise).
 */

/** Set in the child: it is the filtered one (no second child), and whether the real stderr is a terminal. */
export const CHILD_ENV = 'NIN_SDK_FILTERED_STDERR';

/** Set to `raw` to see native libraries' stderr unfiltered (debugging a driver). */
export const RAW_ENV = 'NIN_SDK_NATIVE_STDERR';

const GPU_PROVIDER = /(^|,)\s*(webgpu|cuda)\s*(,|$)/i;

/** Whether these nin-sdk arguments may start a native GPU provider (and so need the filter). */
export function mayStartGpuProvider(argv: readonly string[]): boolean {
  const [command, ...rest] = argv;
  if (command === 'doctor') return !rest.includes('--help') && !rest.includes('-h');
  if (command !== 'predict' && command !== 'eval' && command !== 'train') return false;
  return rest.some((arg, i) =>
    arg === '--provider'
      ? GPU_PROVIDER.test(rest[i + 1] ?? '')
      : arg.startsWith('--provider=') && GPU_PROVIDER.test(arg.slice(11)),
  );
}

/** Whether a nin-sdk process should draw on stderr as on a terminal: its own, or its parent's when filtered. */
export function stderrIsTerminal(): boolean {
  return process.stderr.isTTY === true || process.env[CHILD_ENV] === 'tty';
}

/**
 * Drops the lines of native noise from stderr text, line by line; a pending partial line that starts with a
 * carriage return (a progress bar being redrawn) passes at once. State is kept across chunks.
 */
export class NativeNoiseFilter {
  private pending = '';
  /** Inside a Dawn message block: its ' - While …' and '    at …' lines, up to a blank line. */
  private inDawnBlock = false;

  push(chunk: string): string {
    this.pending += chunk;
    let out = '';
    let newline: number;
    while ((newline = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, newline);
      this.pending = this.pending.slice(newline + 1);
      if (!this.isNoise(line)) out += line + '\n';
    }
    // A progress bar redraws with '\r' and no newline: pass it through now (native libraries never start with '\r').
    if (this.pending.startsWith('\r')) {
      out += this.pending;
      this.pending = '';
    }
    return out;
  }

  /** Whatever is left at the end (a last line without a newline). */
  flush(): string {
    const rest = this.pending;
    this.pending = '';
    return rest === '' || this.isNoise(rest) ? '' : rest;
  }

  private isNoise(line: string): boolean {
    if (this.inDawnBlock) {
      if (line.startsWith(' - ') || /^\s+at /.test(line)) return true;
      this.inDawnBlock = false;
      if (line === '') return true;
    }
    if (/^error: XDG_RUNTIME_DIR is invalid or not set in the environment\.$/.test(line)) return true;
    // Dawn: "Warning: …" then " - While …" and "    at Function (/build/…/File.cpp:253)" lines, then a blank one.
    // (Node's own warnings read "(node:1234) Warning: …", and nin-sdk's lines start with its name.)
    if (line.startsWith('Warning: ')) {
      this.inDawnBlock = true;
      return true;
    }
    // ONNX Runtime's own log lines: "<ESC>[1;31m2026-12-02 18:38:51.609 [E:onnxruntime:…" and the closing "<ESC>[m".
    if (/^(\x1b\[[\d;]*m)?\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \[[VIWEF]:onnxruntime:/.test(line)) return true;
    if (line === '\x1b[m') return true;
    return false;
  }
}

/**
 * Runs this same nin-sdk command in a child whose stderr is filtered, and resolves to its exit code. Signals
 * from a terminal reach the child directly (same process group); the parent only waits for it.
 */
export function runFiltered(script: string, argv: readonly string[]): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env, [CHILD_ENV]: process.stderr.isTTY === true ? 'tty' : 'pipe' };
  const runtimeDir = ensurePrivateRuntimeDir(env);
  const child = spawn(process.execPath, [...process.execArgv, script, ...argv], {
    stdio: ['inherit', 'inherit', 'pipe'],
    env,
  });
  const filter = new NativeNoiseFilter();
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => process.stderr.write(filter.push(chunk)));
  // Ctrl-C goes to the whole foreground group: the child saves its checkpoint and exits; the parent must outlive it.
  const ignore = (): void => undefined;
  process.on('SIGINT', ignore);
  const forward = (): boolean => child.kill('SIGTERM');
  process.on('SIGTERM', forward);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      process.stderr.write(filter.flush());
      process.off('SIGINT', ignore);
      process.off('SIGTERM', forward);
      if (runtimeDir !== undefined) rmSync(runtimeDir, { recursive: true, force: true });
      resolve(code ?? 128 + (signal === 'SIGINT' ? 2 : signal === 'SIGKILL' ? 9 : 15));
    });
  });
}
