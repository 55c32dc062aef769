import type { PreprocessSpec } from '../../preprocess/spec.js';
import {
  classCounts,
  loadImageDataset,
  relabelDataset,
  UnknownClassFolderError,
  type ImageDataset,
} from '../../train/data/node/index.js';
import type { RunFolder } from '../../train/node/run-folder.js';
import { UsageError } from '../errors.js';

/** How many of a thing, in words: "1 class", "10 classes", "1 image". */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}

/** Above this ratio of the largest class to the smallest, a run is warned that its classes are unbalanced. */
export const IMBALANCE_RATIO = 3;

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
 * Says how many images of each class a run trains on, and warns of what makes a poor classifier: labels without
 * images (the model learns never to say them), and classes far apart in size (the model leans to the largest).
 * A dataset of one class is refused unless `allowOneClass`: its classifier can only ever say that class.
 */
export function reportClassCounts(
  dataset: ImageDataset,
  role: string,
  allowOneClass: boolean,
  say: (line: string) => void,
): void {
  const counts = classCounts(dataset);
  const shown = dataset.classNames.map((name, i) => `${name} ${counts[i]}`);
  say(`${role} images by class: ${shown.length > 20 ? `${shown.slice(0, 20).join(', ')}, …` : shown.join(', ')}`);
  const empty = dataset.classNames.filter((_, i) => counts[i] === 0);
  if (empty.length > 0)
    say(
      `warning: ${plural(empty.length, 'label')} of ${dataset.classNames.length} ${empty.length === 1 ? 'has' : 'have'} ` +
        `no ${role} images (${describeNames(empty)}): the model learns never to say ${empty.length === 1 ? 'it' : 'them'}`,
    );
  const present = counts.filter((c) => c > 0);
  if (present.length === 1 && !allowOneClass) {
    const only = dataset.classNames[counts.findIndex((c) => c > 0)]!;
    throw new UsageError(
      `the ${role} images are all of one class (${only}): a classifier trained on them can only ever say ${only}; ` +
        'give images of more classes, or --allow-one-class',
    );
  }
  const largest = Math.max(...present);
  const smallest = Math.min(...present);
  if (largest > IMBALANCE_RATIO * smallest) {
    const name = (count: number): string => dataset.classNames[counts.indexOf(count)]!;
    say(
      `warning: the largest class has ${(largest / smallest).toFixed(1)}× the images of the smallest ` +
        `(${name(largest)} ${largest}, ${name(smallest)} ${smallest}): the model will lean towards the larger classes`,
    );
  }
}

/** At most five names, then an ellipsis. */
export function describeNames(names: readonly string[]): string {
  return names.length > 5 ? `${names.slice(0, 5).join(', ')}, …` : names.join(', ');
}
