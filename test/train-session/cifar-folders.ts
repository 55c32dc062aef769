import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLabeledImages } from '../../src/node/dataset.js';
import { CIFAR10_TEST_TAR } from '../support/prerequisites.js';

/**
 * Small CIFAR-10 datasets as <class>/<image> folders, taken from the shared test.tar (sorted by class, so the first
 * images of each class are picked while streaming it once): `train` per class, then `test` more per class.
 */
export async function cifarFolders(
  train: number,
  test: number,
): Promise<{ root: string; train: string; test: string }> {
  const root = mkdtempSync(join(tmpdir(), 'nin-train-data-'));
  const taken = new Map<string, number>();
  for await (const image of readLabeledImages(CIFAR10_TEST_TAR)) {
    const n = taken.get(image.className) ?? 0;
    if (n >= train + test) continue;
    taken.set(image.className, n + 1);
    const folder = join(root, n < train ? 'train' : 'test', image.className);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, image.name.split('/').pop()!), image.bytes);
  }
  return { root, train: join(root, 'train'), test: join(root, 'test') };
}
