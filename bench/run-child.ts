import { spawn } from 'node:child_process';

export interface ChildRun {
  /** Spawn to exit, as the parent saw it: the wall time a user would wait. */
  readonly wallMs: number;
  readonly stdout: string;
}

/** Runs a command to completion; a non-zero exit is an error that carries the child's stderr. */
export function runChild(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (code === 0) return resolve({ wallMs, stdout: Buffer.concat(stdout).toString('utf8') });
      const why = signal === null ? `exit code ${code}` : `signal ${signal}`;
      reject(new Error(`${command} ${args.join(' ')} failed (${why}):\n${Buffer.concat(stderr).toString('utf8').trim()}`));
    });
  });
}
