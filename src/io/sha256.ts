import { createHash } from 'node:crypto';

/** SHA-256 as 64 lowercase hex digits: how checkpoints, start models and dataset caches are identified. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
