import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { extract } from 'tar-stream';
import { IMAGE_EXTENSIONS } from './image-extensions.js';
import { openRegularFile, readRegularFile } from './read-regular-file.js';

/** One image of a labelled dataset laid out as `<class>/<image>` (torchvision's ImageFolder). */
export interface LabeledImage {
  readonly className: string;
  /** Path inside the dataset, for messages. */
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** A folder or a tar archive of `<class>/<image>` files, read in order without extracting to disk. */
export async function* readLabeledImages(path: string): AsyncGenerator<LabeledImage> {
  if ((await stat(path)).isDirectory()) {
    yield* readFolder(path);
  } else {
    yield* readTar(path);
  }
}

async function* readFolder(root: string): AsyncGenerator<LabeledImage> {
  const classes = (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  for (const className of classes) {
    const files = (await readdir(join(root, className))).filter((f) => IMAGE_EXTENSIONS.has(extname(f).toLowerCase())).sort();
    for (const file of files) {
      yield { className, name: join(className, file), bytes: await readRegularFile(join(root, className, file)) };
    }
  }
}

async function* readTar(path: string): AsyncGenerator<LabeledImage> {
  const entries = extract();
  // Opened as a regular file only: a FIFO or a device given as --data would block or never end.
  createReadStream(path, { fd: await openRegularFile(path) })
    .on('error', (error) => entries.destroy(error))
    .pipe(entries);
  for await (const entry of entries) {
    const name = entry.header.name.replace(/^\.\//, '');
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    if (entry.header.type !== 'file' || !IMAGE_EXTENSIONS.has(extname(name).toLowerCase())) continue;
    const className = basename(dirname(name));
    if (className === '' || className === '.') continue;
    yield { className, name, bytes: Buffer.concat(chunks) };
  }
}
