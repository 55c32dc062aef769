import { spawnSync } from 'node:child_process';
import { unlessPresent } from './prerequisites.js';

/** Debian's python3-torch is the PyTorch the tests compare with; the `python3` on PATH usually has none. */
export const TORCH_PYTHON = '/usr/bin/python3';

/** Why PyTorch cannot be used here (a test then skips; in CI it throws: see unlessPresent), or undefined. */
export function torchMissing(): string | undefined {
  const probe = spawnSync(TORCH_PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  const why = probe.error ? probe.error.message : probe.stderr.trim().split('\n').at(-1);
  return unlessPresent(
    probe.status === 0,
    `${TORCH_PYTHON} cannot import torch (${why}); install Debian's python3-torch`,
  );
}
