import type { CheckpointFormat } from './types.js';

/**
 * What a container reader (zip, legacy stream) hands on: the unpickled object,
 * whose tensors still point at storages by key, and a way to fetch the bytes
 * of just the storages that turn out to be needed.
 */
export interface UnpickledCheckpoint {
  readonly format: CheckpointFormat;
  readonly root: unknown;
  /** false only for zip files whose `byteorder` record says 'big'. */
  readonly littleEndian: boolean;
  /**
   * The bytes of each requested owning storage: at least numel × item size
   * each (extra bytes at the end are ignored). Throws a CheckpointError when
   * one is missing or short.
   */
  loadStorages(keys: ReadonlySet<string>): ReadonlyMap<string, Uint8Array>;
}

/** One link of the detection chain: a result when the magic bytes are its own, else undefined. */
export type ContainerReader = (bytes: Uint8Array) => UnpickledCheckpoint | undefined;

export function startsWith(bytes: Uint8Array, prefix: readonly number[], at = 0): boolean {
  if (bytes.length < at + prefix.length) return false;
  return prefix.every((value, index) => bytes[at + index] === value);
}
