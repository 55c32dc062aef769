import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { IMAGE_EXTENSIONS } from '../preprocess/index.js';

/**
 * The image files named on a command line: files as given (whatever their extension, so that a wrong file
 * gets its own error), folders searched recursively for image extensions, in sorted order.
 */
export async function expandImagePaths(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    let isDirectory = false;
    try {
      isDirectory = (await stat(path)).isDirectory();
    } catch {
      // Missing paths stay in the list and fail on their own line.
    }
    if (isDirectory) files.push(...(await imagesUnder(path)));
    else files.push(path);
  }
  return files;
}

async function imagesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) files.push(...(await imagesUnder(path)));
    else if (IMAGE_EXTENSIONS.has(extname(entry.name).toLowerCase())) files.push(path);
  }
  return files;
}
