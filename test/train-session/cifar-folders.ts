import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLabeledImages } from '../../src/datasets/node/dataset.js';
import { CIFAR10_SAMPLE_TAR } from '../support/fixtures.js';

/** Images of each class in fixtures/images/cifar10-sample.tar. */
const SAMPLE_PER_CLASS = 25;

/**
 * Small CIFAR-10 datasets as <class>/<image> folders, taken from the repository's sample of the test tar (the first
 * 25 images of each class, fixtures/make_cifar_sample.py), so that these tests need nothing beside the repository:
 * `train` per class, then `test` more per class (at most 25 in all).
 */
export async function cifarFolders(
  train: number,
  test: number,
): Promise<{ root: string; train: string; test: string }> {
  if (train + test > SAMPLE_PER_CLASS) throw new Error(`the sample has ${SAMPLE_PER_CLASS} images a class`);
  const root = mkdtempSync(join(tmpdir(), 'nin-train-data-'));
  const taken = new Map<string, number>();
  for await (const image of readLabeledImages(CIFAR10_SAMPLE_TAR)) {
    const n = taken.get(image.className) ?? 0;
    if (n >= train + test) continue;
    taken.set(image.className, n + 1);
    const folder = join(root, n < train ? 'train' : 'test', image.className);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, image.name.split('/').pop()!), image.bytes);
  }
  return { root, train: join(root, 'train'), test: join(root, 'test') };
}
