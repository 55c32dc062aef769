import { Random } from '../train/data/random.js';
import { readLabeledImages, type LabeledImage } from './dataset.js';

/**
 * A uniform random sample of `count` images from a `<class>/<image>` folder or tar (reservoir sampling, one pass,
 * only the sample kept in memory). Datasets are stored class by class (CIFAR-10's test tar in name order starts
 * with 1,000 airplanes), so the first images are no sample at all. Seeded: the same seed picks the same images.
 */
export async function sampleLabeledImages(dataset: string, count: number, seed: number): Promise<{ images: LabeledImage[]; total: number }> {
  const random = Random.fromSeed(seed);
  const reservoir: LabeledImage[] = [];
  let total = 0;
  for await (const image of readLabeledImages(dataset)) {
    if (reservoir.length < count) reservoir.push(image);
    else {
      const j = random.nextInt(total + 1);
      if (j < count) reservoir[j] = image;
    }
    total++;
  }
  return { images: reservoir, total };
}
