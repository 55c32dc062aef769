import { spawnSync } from 'node:child_process';

/** Debian's python3-torch is the PyTorch the tests compare with; the `python3` on PATH usually has none. */
export const TORCH_PYTHON = '/usr/bin/python3';

/**
 * Why PyTorch cannot be used here (a test then skips), or undefined when it can. In CI, whose .ci/run installs it,
 * its absence throws instead: a check against PyTorch must not pass there by being skipped.
 */
export function torchMissing(): string | undefined {
  const probe = spawnSync(TORCH_PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status === 0) return undefined;
  const why = probe.error ? probe.error.message : probe.stderr.trim().split('\n').at(-1);
  const reason = `${TORCH_PYTHON} cannot import torch (${why}); install Debian's python3-torch`;
  if (process.env['CI']) throw new Error(`CI needs PyTorch: ${reason}`);
  return reason;
}
