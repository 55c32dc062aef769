import { randomBytes } from 'node:crypto';
import { rmSync, type Stats } from 'node:fs';
import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { describeFileType } from './read-regular-file.js';

/** An output path that cannot be written as a regular file: a missing folder, or a device, FIFO, folder in the way. */
export class OutputError extends Error {
  override readonly name = 'OutputError';
}

/**
 * Writes a file whole or not at all: the bytes go to a temporary file beside the target, flushed to disk (fsync),
 * and are renamed over it only once complete, the folder then flushed too; a failure, a crash or an interruption
 * (SIGINT, SIGTERM) never leaves a half-written output or a stray temporary file behind. Only regular files are
 * replaced: a target that is a device (/dev/null), a FIFO, a socket or a folder is refused, since renaming over it
 * would put a regular file in its place. Pieces are written one after the other, never joined in memory.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array | readonly Uint8Array[]): Promise<void> {
  const folder = dirname(path);
  await checkTarget(path, folder);
  const temporary = join(folder, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  pendingTemporaries.track(temporary);
  try {
    const handle = await open(temporary, 'wx');
    try {
      await writePieces(handle, bytes instanceof Uint8Array ? [bytes] : bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    // Again just before the rename: the target may have been replaced while the bytes were written.
    await checkTarget(path, folder);
    await rename(temporary, path);
    await syncFolder(folder);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  } finally {
    pendingTemporaries.untrack(temporary);
  }
}

/** Throws an OutputError unless `path`'s folder exists and `path` is missing or a regular file (after symlinks). */
export function checkOutputPath(path: string): Promise<void> {
  return checkTarget(path, dirname(path));
}

async function checkTarget(path: string, folder: string): Promise<void> {
  const folderStats = await statOrUndefined(folder);
  if (folderStats === undefined) throw new OutputError(`cannot write ${path}: no such folder: ${folder}`);
  if (!folderStats.isDirectory())
    throw new OutputError(`cannot write ${path}: ${folder} is ${describeFileType(folderStats)}, not a folder`);
  const target = await statOrUndefined(path);
  if (target !== undefined && !target.isFile()) {
    throw new OutputError(`cannot write ${path}: it is ${describeFileType(target)}, not a regular file`);
  }
}

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

/** The rename is durable only once the folder's entry is on disk; platforms that cannot fsync a folder skip it. */
async function syncFolder(folder: string): Promise<void> {
  let handle;
  try {
    handle = await open(folder, 'r');
    await handle.sync();
  } catch {
    // Windows cannot open a folder, some file systems refuse fsync on one: the file itself is synced already.
  } finally {
    await handle?.close();
  }
}

/**
 * Temporary files being written, removed when the process is interrupted. A SIGINT or SIGTERM that nothing else
 * handles would end the process on the spot (Node's default), leaving them behind: while any is pending, this
 * removes them and raises the signal again, so that the process still ends by it (exit status 130 / 143 in a
 * shell). A command with its own handler (nin-sdk train stops after a batch) keeps the signal; process.exit then
 * runs the 'exit' hook, which removes them too.
 */
const pendingTemporaries = new (class PendingTemporaries {
  private readonly paths = new Set<string>();
  private readonly signals = ['SIGINT', 'SIGTERM'] as const;

  track(path: string): void {
    if (this.paths.size === 0) {
      for (const signal of this.signals) process.on(signal, this.onSignal);
      process.on('exit', this.removeAll);
    }
    this.paths.add(path);
  }

  untrack(path: string): void {
    this.paths.delete(path);
    if (this.paths.size === 0) this.stopListening();
  }

  private stopListening(): void {
    for (const signal of this.signals) process.off(signal, this.onSignal);
    process.off('exit', this.removeAll);
  }

  private readonly removeAll = (): void => {
    for (const path of this.paths) rmSync(path, { force: true });
    this.paths.clear();
  };

  private readonly onSignal = (signal: NodeJS.Signals): void => {
    if (process.listenerCount(signal) > 1) return; // someone else handles it; the 'exit' hook still cleans up
    this.removeAll();
    this.stopListening();
    process.kill(process.pid, signal);
  };
})();

/**
 * All pieces in gathered writes (writev: one round trip to the thread pool instead of one per piece, of which a
 * model has a hundred), resuming after a short write, since write(2) may take fewer bytes than it was given.
 */
async function writePieces(handle: FileHandle, pieces: readonly Uint8Array[]): Promise<void> {
  let remaining = pieces.filter((piece) => piece.byteLength > 0);
  while (remaining.length > 0) {
    const { bytesWritten } = await handle.writev(remaining);
    // A regular file takes at least a byte or fails (ENOSPC …): nothing taken would otherwise loop for ever.
    if (bytesWritten === 0) throw new Error('the file system took no bytes of a write');
    remaining = afterWritten(remaining, bytesWritten);
  }
}

/** What is left of `pieces` once their first `written` bytes are out. */
function afterWritten(pieces: readonly Uint8Array[], written: number): Uint8Array[] {
  let skip = written;
  const rest: Uint8Array[] = [];
  for (const piece of pieces) {
    if (skip >= piece.byteLength) skip -= piece.byteLength;
    else {
      rest.push(skip === 0 ? piece : piece.subarray(skip));
      skip = 0;
    }
  }
  return rest;
}
