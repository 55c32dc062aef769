import { startsWith, type ContainerReader, type UnpickledCheckpoint } from './container.js';
import { CheckpointError, hexPreview } from './errors.js';
import { LEGACY_MAGIC_NUMBER, readLegacyCheckpoint } from './legacy-reader.js';
import { readZipCheckpoint } from './zip-reader.js';

/** torch < 0.1.10 saved a tar archive; its magic sits at byte 257. */
const refuseTarCheckpoint: ContainerReader = (bytes) => {
  if (!startsWith(bytes, [0x75, 0x73, 0x74, 0x61, 0x72], 257)) return undefined; // 'ustar'
  throw new CheckpointError(
    'unsupported-format',
    'unsupported checkpoint format: a tar archive, as torch < 0.1.10 wrote them; re-save it with a newer torch',
  );
};

/**
 * The detection chain, netron-style: each reader looks at the magic bytes and
 * either claims the file (and reads it, or says precisely why it cannot) or
 * passes it on.
 */
const CONTAINER_READERS: readonly ContainerReader[] = [readZipCheckpoint, readLegacyCheckpoint, refuseTarCheckpoint];

export function openCheckpoint(bytes: Uint8Array): UnpickledCheckpoint {
  if (bytes.length === 0) throw new CheckpointError('empty', 'empty file');
  for (const read of CONTAINER_READERS) {
    const checkpoint = read(bytes);
    if (checkpoint !== undefined) return checkpoint;
  }
  throw new CheckpointError(
    'not-a-checkpoint',
    `not a PyTorch checkpoint: expected a zip archive or a legacy pickle stream (magic 0x${LEGACY_MAGIC_NUMBER.toString(16)}), got bytes ${hexPreview(bytes)}`,
  );
}
