import { spawn } from 'node:child_process';

export interface ChildRun {
  /** Spawn to exit, as the parent saw it: the wall time a user would wait. */
  readonly wallMs: number;
  /** Empty when stdout was discarded. */
  readonly stdout: string;
  readonly stderr: string;
}

export interface ChildOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** 'discard' sends stdout to /dev/null, as `command > /dev/null` would: no pipe for the parent to drain. */
  readonly stdout?: 'capture' | 'discard';
}

/** Runs a command to completion; a non-zero exit is an error that carries the child's stderr. */
export function runChild(command: string, args: readonly string[], options: ChildOptions = {}): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      stdio: ['ignore', options.stdout === 'discard' ? 'ignore' : 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const stderrText = Buffer.concat(stderr).toString('utf8');
      if (code === 0) return resolve({ wallMs, stdout: Buffer.concat(stdout).toString('utf8'), stderr: stderrText });
      const why = signal === null ? `exit code ${code}` : `signal ${signal}`;
      reject(new Error(`${command} ${args.join(' ')} failed (${why}):\n${stderrText.trim()}`));
    });
  });
}
