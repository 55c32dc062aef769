import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { extract, type Extract, type Header } from 'tar-stream';
import { IMAGE_EXTENSIONS } from '../../preprocess/index.js';
import { openRegularFile, readRegularFile } from '../../io/index.js';

/** One image of a labelled dataset laid out as `<class>/<image>` (torchvision's ImageFolder). */
export interface LabeledImage {
  readonly className: string;
  /** Path inside the dataset, for messages. */
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** Where an image of a labelled dataset is, without its bytes. */
export type LabeledImageName = Omit<LabeledImage, 'bytes'>;

/**
 * A folder or a tar archive of `<class>/<image>` files, read in order without extracting to disk. With `wanted`,
 * only the images it accepts are read, each asked by its position among the images (from 0, the order of
 * listLabeledImages, so duplicate names in a tar stay apart); the others are skipped unread.
 */
export async function* readLabeledImages(
  path: string,
  wanted?: (position: number) => boolean,
): AsyncGenerator<LabeledImage> {
  if ((await stat(path)).isDirectory()) {
    yield* readFolder(path, wanted);
  } else {
    yield* readTar(path, wanted);
  }
}

/**
 * The images `readLabeledImages` would yield, in its order, as names only (a tar is read through once, skipping
 * contents): what a sample is drawn from before any image is decoded. Names take a few MB for CIFAR-10's 50,000.
 */
export async function listLabeledImages(path: string): Promise<LabeledImageName[]> {
  const names: LabeledImageName[] = [];
  if ((await stat(path)).isDirectory()) {
    for (const className of await classFolders(path))
      for (const file of await imagesOf(join(path, className))) names.push({ className, name: join(className, file) });
    return names;
  }
  for await (const entry of await tarEntries(path)) {
    entry.resume();
    const labeled = labeledTarName(entry.header);
    if (labeled !== undefined) names.push(labeled);
  }
  return names;
}

/**
 * How many images `readLabeledImages` would yield, without keeping their bytes (a tar is read through once,
 * skipping contents): the total of a progress bar.
 */
export async function countLabeledImages(path: string): Promise<number> {
  let count = 0;
  if ((await stat(path)).isDirectory()) {
    for (const className of await classFolders(path)) count += (await imagesOf(join(path, className))).length;
    return count;
  }
  for await (const entry of await tarEntries(path)) {
    entry.resume();
    if (labeledTarName(entry.header) !== undefined) count++;
  }
  return count;
}

async function classFolders(root: string): Promise<string[]> {
  return (await readdir(root, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

async function imagesOf(folder: string): Promise<string[]> {
  return (await readdir(folder)).filter((f) => IMAGE_EXTENSIONS.has(extname(f).toLowerCase())).sort();
}

async function tarEntries(path: string): Promise<Extract> {
  const entries = extract();
  // Opened as a regular file only: a FIFO or a device given as --data would block or never end.
  createReadStream(path, { fd: (await openRegularFile(path)).fd })
    .on('error', (error) => entries.destroy(error))
    .pipe(entries);
  return entries;
}

/** The class and name of a tar entry that is a labelled image, or undefined for anything else. */
function labeledTarName(header: Header): { className: string; name: string } | undefined {
  const name = header.name.replace(/^\.\//, '');
  if (header.type !== 'file' || !IMAGE_EXTENSIONS.has(extname(name).toLowerCase())) return undefined;
  const className = basename(dirname(name));
  if (className === '' || className === '.') return undefined;
  return { className, name };
}

async function* readFolder(root: string, wanted?: (position: number) => boolean): AsyncGenerator<LabeledImage> {
  let position = 0;
  for (const className of await classFolders(root)) {
    const files = await imagesOf(join(root, className));
    for (const file of files) {
      if (wanted !== undefined && !wanted(position++)) continue;
      yield { className, name: join(className, file), bytes: await readRegularFile(join(root, className, file)) };
    }
  }
}

async function* readTar(path: string, wanted?: (position: number) => boolean): AsyncGenerator<LabeledImage> {
  let position = 0;
  for await (const entry of await tarEntries(path)) {
    const labeled = labeledTarName(entry.header);
    if (labeled === undefined || (wanted !== undefined && !wanted(position++))) {
      entry.resume(); // skipped, never held: a tar may carry entries of any size besides its images
      continue;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    yield { ...labeled, bytes: Buffer.concat(chunks) };
  }
}
