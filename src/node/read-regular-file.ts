import { close, constants, fstat, open, readFile, stat, type Stats } from 'node:fs';

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

/**
 * The bytes of a regular file, refusing anything else with a FileTypeError (`x.jpg: not a regular file (a FIFO)`)
 * before a single byte is read: reading a FIFO blocks until someone writes, a device such as /dev/zero never
 * ends. The path is checked with stat before it is opened (so that a device is not even opened), and the open file
 * again with fstat (so that a file swapped in between is caught). Other failures are Node's own errors (ENOENT …).
 * Callbacks, not fs/promises: for the many small files of a dataset the promise API's FileHandle costs several
 * times the read itself.
 */
export function readRegularFile(path: string): Promise<Buffer> {
  return openRegularFile(path).then(
    (fd) =>
      new Promise((resolve, reject) =>
        readFile(fd, (readError, data) => close(fd, () => (readError === null ? resolve(data) : reject(readError)))),
      ),
  );
}

/** A descriptor of `path` open for reading, as readRegularFile opens it: regular files only. The caller closes it. */
export function openRegularFile(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    stat(path, (statError, before) => {
      if (statError !== null) return reject(statError);
      if (!before.isFile()) return reject(notRegular(path, before));
      open(path, OPEN_FLAGS, (openError, fd) => {
        if (openError !== null) return reject(openError);
        fstat(fd, (fstatError, opened) => {
          const error = fstatError ?? (opened.isFile() ? null : notRegular(path, opened));
          if (error === null) resolve(fd);
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
