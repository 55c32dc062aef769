import { Random } from '../../numeric/index.js';
import { countLabeledImages, readLabeledImages, type LabeledImage } from '../../datasets/node/index.js';

/**
 * `count` of the indexes 0 … total − 1, every subset equally likely (Robert Floyd's algorithm: `count` draws,
 * memory for the chosen indexes only). Seeded: the same seed picks the same images.
 */
export function chooseSampleIndexes(total: number, count: number, seed: number): Set<number> {
  const random = Random.fromSeed(seed);
  const chosen = new Set<number>();
  for (let j = Math.max(0, total - count); j < total; j++) {
    const t = random.nextInt(j + 1);
    chosen.add(chosen.has(t) ? j : t);
  }
  return chosen;
}

/**
 * A uniform random sample of `count` images from a `<class>/<image>` folder or tar. Datasets are stored class by
 * class (CIFAR-10's test tar in name order starts with 1,000 airplanes), so the first images are no sample at all.
 * Two passes: the first counts the images (countLabeledImages: no image is read), the second yields the chosen ones in dataset order, so that memory
 * holds one image at a time however large `count` and the images are.
 */
export async function sampleLabeledImages(
  dataset: string,
  count: number,
  seed: number,
): Promise<{ readonly size: number; readonly images: AsyncGenerator<LabeledImage> }> {
  const total = await countLabeledImages(dataset);
  const chosen = chooseSampleIndexes(total, count, seed);
  async function* images(): AsyncGenerator<LabeledImage> {
    let index = 0;
    for await (const image of readLabeledImages(dataset)) {
      if (chosen.has(index++)) yield image;
    }
  }
  return { size: chosen.size, images: images() };
}
