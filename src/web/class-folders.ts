import { IMAGE_EXTENSIONS } from '../preprocess/index.js';
import type { WebTrainingImage } from './fine-tune.js';

/**
 * A folder picker's files sorted into class folders (classFolderImages): the training images for fineTune and the
 * files left out, to tell the user.
 *
 * @example
 * ```ts
 * import { classFolderImages, type ClassFolderImages } from 'nin-sdk/web';
 * declare const folderInput: HTMLInputElement;
 * const { images, skipped }: ClassFolderImages = classFolderImages(folderInput.files ?? []);
 * console.log(images.map((i) => `${i.folder}: ${i.path}`), `${skipped.length} files left out`);
 * ```
 */
export interface ClassFolderImages {
  /** The images, class folder by class folder (sorted), each folder's files by name: the CLI's order. */
  readonly images: readonly (WebTrainingImage & { readonly image: File; readonly path: string })[];
  /** Relative paths of the files left out: not `<chosen>/<class>/<file>`, or no image extension. */
  readonly skipped: readonly string[];
}

/**
 * The files of `<input type="file" webkitdirectory>` read as `nin-sdk train --data <folder>` reads a folder: the
 * chosen folder holds one folder per class, named as the class (a label's '/' written '_': `T-shirt_top/` holds
 * `T-shirt/top`), and each class folder its images, by extension (.jpg .jpeg .png .webp .gif .tif .tiff .bmp; what a
 * file holds is checked from its bytes when it is decoded). Files beside the class folders or deeper inside them
 * are left out, as the CLI leaves them; `skipped` names them. Paths come from `webkitRelativePath`.
 *
 * @param files - the picker's `files` (a FileList), or any list of Files; a File without `webkitRelativePath` is
 * taken by its name alone, and so left out
 * @returns the images, class folder by class folder (sorted), each folder's files by name, and the files left out
 * @example
 * ```ts
 * import { classFolderImages, fineTune } from 'nin-sdk/web';
 * declare const folderInput: HTMLInputElement; // <input type="file" webkitdirectory>
 * folderInput.addEventListener('change', async () => {
 *   const { images, skipped } = classFolderImages(folderInput.files ?? []); // images[0]?.folder: 'plane'
 *   if (skipped.length > 0) console.warn(`left out: ${skipped.join(', ')}`);
 *   const run = await fineTune({ images });
 * });
 * ```
 */
export function classFolderImages(files: Iterable<File> | ArrayLike<File>): ClassFolderImages {
  const images: { image: File; folder: string; path: string; name: string }[] = [];
  const skipped: string[] = [];
  for (const file of Array.from(files)) {
    // A File not from a folder picker (or made outside a browser) has no relative path: its name is all there is.
    const path = file.webkitRelativePath || file.name;
    const parts = path.split('/');
    const name = parts[2] ?? '';
    const dot = name.lastIndexOf('.');
    const extension = dot < 0 ? '' : name.slice(dot).toLowerCase();
    if (parts.length !== 3 || parts[1] === '' || !IMAGE_EXTENSIONS.has(extension)) skipped.push(path);
    else images.push({ image: file, folder: parts[1]!, path, name });
  }
  // Code-unit order, as the CLI's sort() of folder and file names.
  const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  images.sort((a, b) => byName(a.folder, b.folder) || byName(a.name, b.name));
  return { images: images.map(({ image, folder, path }) => ({ image, folder, path })), skipped };
}
