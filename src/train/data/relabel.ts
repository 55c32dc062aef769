import { labelFolderName, labelIndexByFolder } from './label-folders.js';
import type { ImageDataset } from './image-dataset.js';

/** Thrown for a class folder that is none of the labels a dataset is read against. */
export class UnknownClassFolderError extends RangeError {
  override readonly name = 'UnknownClassFolderError';
}

/**
 * A dataset loaded with its class folders as classes, renumbered into `labels` (a model's), each label read from
 * its folder (labelFolderName: `T-shirt/top` in `T-shirt_top/`). Labels without a folder simply have no images.
 * Throws UnknownClassFolderError, naming `source` and the folder, for a folder that is no label.
 */
export function relabelDataset(dataset: ImageDataset, labels: readonly string[], source: string): ImageDataset {
  const indexOf = labelIndexByFolder(labels);
  const renumber = dataset.classNames.map((folder) => {
    const index = indexOf.get(folder);
    if (index === undefined)
      throw new UnknownClassFolderError(
        `${source}: class folder '${folder}' is not one of the ${labels.length} labels ` +
          `(folders ${labels.slice(0, 10).map(labelFolderName).join(', ')}${labels.length > 10 ? ', …' : ''})`,
      );
    return index;
  });
  return {
    ...dataset,
    labels: Uint16Array.from(dataset.labels, (label) => renumber[label]!),
    classNames: [...labels],
  };
}

/** Whether every class folder of `folders` is the folder of one of `labels`. */
export function foldersAreLabels(folders: readonly string[], labels: readonly string[]): boolean {
  const indexOf = labelIndexByFolder(labels);
  return folders.every((folder) => indexOf.has(folder));
}
