import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readLabeledImages } from '../src/datasets/node/dataset.js';

export interface ImageSample {
  readonly folder: string;
  readonly images: number;
}

/**
 * Writes a fixed sample of a `<class>/<image>` dataset (folder or tar) to `folder`: the first `perClass` images of
 * each class in name order (CIFAR-10's test.tar: `<class>/0000.jpg` …), laid out the same way. Every run of the
 * bench, on any machine, classifies the same files.
 */
export async function extractClassSample(dataset: string, perClass: number, folder: string): Promise<ImageSample> {
  const byClass = new Map<string, { name: string; bytes: Uint8Array }[]>();
  for await (const image of readLabeledImages(dataset)) {
    const images = byClass.get(image.className) ?? [];
    images.push({ name: image.name, bytes: image.bytes });
    byClass.set(image.className, images);
  }
  let written = 0;
  for (const [className, images] of byClass) {
    if (images.length < perClass)
      throw new Error(
        `${dataset}: class ${className} has ${images.length} images, fewer than the ${perClass} asked for`,
      );
    images.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const image of images.slice(0, perClass)) {
      const target = join(folder, image.name);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, image.bytes);
      written++;
    }
  }
  return { folder, images: written };
}
