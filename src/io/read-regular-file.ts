import {
  close,
  closeSync,
  constants,
  fstat,
  fstatSync,
  open,
  openSync,
  read,
  readFile,
  readFileSync,
  readSync,
  stat,
  statSync,
  type Stats,
} from 'node:fs';

/** A path that names something other than a regular file (a FIFO, a device, a socket, a folder) where a file was needed. */
export class FileTypeError extends Error {
  override readonly name = 'FileTypeError';

  constructor(
    readonly path: string,
    /** What it is instead, in words: 'a FIFO', 'a directory' … */
    readonly kind: string,
  ) {
    super(`${path}: not a regular file (${kind})`);
  }
}

/**
 * O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, for ever; O_NOCTTY: a terminal named as
 * an input must not become the process's controlling terminal. Neither changes how a regular file reads.
 */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

export interface ReadOptions {
  /**
   * Told each piece of the file as it arrives, in order, while the next is being read, and before the read
   * resolves: a caller that hashes the file this way has it hashed by the time the read ends (nin-convert's
   * SHA-256 of a 30 MB checkpoint). It runs in a callback of the file system: it must not throw.
   */
  readonly onBytes?: (piece: Uint8Array) => void;
}

/**
 * Why readRegularFile failed, in the words that follow `cannot read <path>: ` in an ImageError or a ModelError
 * ('no such file', 'permission denied', 'not a regular file (a FIFO)' …).
 */
export function readProblem(error: unknown): string {
  if (error instanceof FileTypeError)
    return error.kind === 'a directory' ? 'it is a directory' : `not a regular file (${error.kind})`;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}

/**
 * The bytes of a regular file, refusing anything else with a FileTypeError (`x.jpg: not a regular file (a FIFO)`)
 * before a single byte is read: reading a FIFO blocks until someone writes, a device such as /dev/zero never
 * ends. The path is checked with stat before it is opened (so that a device is not even opened), and the open file
 * again with fstat (so that a file swapped in between is caught). Other failures are Node's own errors (ENOENT …).
 * Callbacks, not fs/promises: for the many small files of a dataset the promise API's FileHandle costs several
 * times the read itself.
 */
export function readRegularFile(path: string, options: ReadOptions = {}): Promise<Buffer> {
  return openRegularFile(path).then(
    ({ fd, size }) =>
      new Promise((resolve, reject) =>
        readOpenFile(fd, size, options.onBytes, (readError, data) =>
          close(fd, () => (readError === null ? resolve(data!) : reject(readError))),
        ),
      ),
  );
}

/** Bytes per read: large enough that a checkpoint takes a few round trips to the thread pool, not hundreds. */
const READ_PIECE_BYTES = 8 * 1024 * 1024;

/** Past this Node's readFile refuses a file with its own error (ERR_FS_FILE_TOO_LARGE). */
const MAX_READ_FILE_BYTES = 2 ** 31 - 1;

type ReadDone = (error: Error | null, data?: Buffer) => void;

/**
 * The file's stated size into one buffer, 8 MiB per read: Node's readFile reads 512 KiB per round trip to the
 * thread pool (a fifth of a 30 MB checkpoint's conversion) and, for the many small files of a dataset, fstats the
 * file again. Like readFile, it reads what the fstat stated (a file that grows meanwhile is read to that size; one
 * that shrinks, to its end); a file that states no size (/proc's) is read to its end by readFile itself.
 */
function readOpenFile(fd: number, size: number, onBytes: ReadOptions['onBytes'], done: ReadDone): void {
  if (size === 0 || size > MAX_READ_FILE_BYTES) return readWhole(fd, onBytes, done);
  // Not from Buffer's shared pool: callers may move or view the whole ArrayBuffer.
  const buffer = Buffer.allocUnsafeSlow(size);
  const fill = (filled: number): void => {
    read(fd, buffer, filled, Math.min(READ_PIECE_BYTES, size - filled), null, (error, bytesRead) => {
      if (error !== null) return done(error);
      if (bytesRead === 0) return done(null, buffer.subarray(0, filled));
      const piece = buffer.subarray(filled, filled + bytesRead);
      if (filled + bytesRead === size) {
        onBytes?.(piece);
        return done(null, buffer);
      }
      // The next read is on its way before this piece is handed over.
      fill(filled + bytesRead);
      onBytes?.(piece);
    });
  };
  fill(0);
}

/** Node's readFile, for what states no size (and to refuse, in its own words, what is too large to read). */
function readWhole(fd: number, onBytes: ReadOptions['onBytes'], done: ReadDone): void {
  readFile(fd, (error, data) => {
    if (error !== null) return done(error);
    onBytes?.(data);
    done(null, data);
  });
}

/**
 * readRegularFile with blocking calls, the same checks in the same order and the same errors: for a thread with
 * nothing else to do meanwhile (nin-sdk predict's, whose model runs in a worker), where the thread pool's five
 * round trips per file cost several times the reading of a small image.
 */
export function readRegularFileSync(path: string): Buffer {
  const before = statSync(path);
  if (!before.isFile()) throw notRegular(path, before);
  const fd = openSync(path, OPEN_FLAGS);
  try {
    const opened = fstatSync(fd);
    if (!opened.isFile()) throw notRegular(path, opened);
    const size = opened.size;
    if (size === 0 || size > MAX_READ_FILE_BYTES) return readFileSync(fd);
    const buffer = Buffer.allocUnsafeSlow(size);
    let filled = 0;
    while (filled < size) {
      const bytesRead = readSync(fd, buffer, filled, Math.min(READ_PIECE_BYTES, size - filled), null);
      if (bytesRead === 0) return buffer.subarray(0, filled);
      filled += bytesRead;
    }
    return buffer;
  } finally {
    closeSync(fd);
  }
}

/**
 * A descriptor of `path` open for reading, as readRegularFile opens it (regular files only), with the size its
 * fstat gave. The caller closes it.
 */
export function openRegularFile(path: string): Promise<{ readonly fd: number; readonly size: number }> {
  return new Promise((resolve, reject) => {
    stat(path, (statError, before) => {
      if (statError !== null) return reject(statError);
      if (!before.isFile()) return reject(notRegular(path, before));
      open(path, OPEN_FLAGS, (openError, fd) => {
        if (openError !== null) return reject(openError);
        fstat(fd, (fstatError, opened) => {
          const error = fstatError ?? (opened.isFile() ? null : notRegular(path, opened));
          if (error === null) resolve({ fd, size: opened.size });
          else close(fd, () => reject(error));
        });
      });
    });
  });
}

export function notRegular(path: string, stats: Stats): FileTypeError {
  return new FileTypeError(path, describeFileType(stats));
}

/** What a non-regular file is, in words. */
export function describeFileType(stats: Stats): string {
  if (stats.isFile()) return 'a regular file';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  return 'of an unknown type';
}
