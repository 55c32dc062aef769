import type { PreprocessSpec } from '../../preprocess/index.js';
import { loadImageDataset, type RunFolder } from '../../train/node/index.js';
import {
  relabelDataset,
  UnknownClassFolderError,
  type ImageDataset,
  classBalance,
  plural,
} from '../../train/internal.js';
import { UsageError } from '../errors.js';

/** How a dataset is drawn from its folder or tar: --limit's stratified sample and its seed. */
export interface DataSelection {
  readonly limit: number | undefined;
  readonly seed: number;
}

/**
 * The images of `source`, each class folder a class (sorted, as torchvision's ImageFolder numbers them), through
 * the run folder's cache; says how many, of how many classes, and how long it took.
 */
export async function loadClassFolders(
  source: string,
  selection: DataSelection,
  folder: RunFolder,
  spec: PreprocessSpec,
  say: (line: string) => void,
): Promise<ImageDataset> {
  const started = performance.now();
  const { dataset, fromCache } = await loadImageDataset(source, {
    spec,
    cacheDir: folder.cacheDir,
    limit: selection.limit,
    seed: selection.seed,
  });
  if (dataset.count === 0) throw new UsageError(`no images found in ${source}`);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const sampled = selection.limit === undefined ? '' : ', a stratified sample';
  say(
    `${source}: ${plural(dataset.count, 'image')} of ${plural(dataset.classNames.length, 'class', 'classes')}${sampled} ` +
      `(${fromCache ? 'from the cache' : 'decoded'} in ${seconds} s)`,
  );
  return dataset;
}

/** `dataset`'s class folders renumbered into `labels`; a folder that is no label is a usage error naming it. */
export function asLabels(dataset: ImageDataset, labels: readonly string[], source: string): ImageDataset {
  try {
    return relabelDataset(dataset, labels, source);
  } catch (error) {
    if (error instanceof UnknownClassFolderError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * Says how many images of each class a run trains on and classBalance's warnings. A dataset of one class is refused
 * unless `allowOneClass`: its classifier can only ever say that class.
 */
export function reportClassCounts(
  dataset: ImageDataset,
  role: string,
  allowOneClass: boolean,
  say: (line: string) => void,
): void {
  const { summary, emptyLabels, oneClass, imbalance } = classBalance(dataset, role);
  say(summary);
  if (emptyLabels !== undefined) say(emptyLabels);
  if (oneClass !== undefined && !allowOneClass) throw new UsageError(`${oneClass}, or --allow-one-class`);
  if (imbalance !== undefined) say(imbalance);
}
