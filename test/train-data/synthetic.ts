import type { PreprocessSpec } from '../../src/preprocess/index.js';
import type { ImageDataset } from '../../src/train/data/index.js';

/** A small dataset whose every pixel byte differs from image to image, so batches show which image they hold. */
export function syntheticDataset(count = 10, imageSize = 4, classes = 3): ImageDataset {
  const bytesPerImage = imageSize * imageSize * 3;
  const pixels = Uint8Array.from(
    { length: count * bytesPerImage },
    (_, i) => (Math.floor(i / bytesPerImage) * 37 + (i % bytesPerImage) * 7) % 256,
  );
  const labels = Uint16Array.from({ length: count }, (_, i) => i % classes);
  return { imageSize, count, pixels, labels, classNames: Array.from({ length: classes }, (_, i) => `class${i}`) };
}

/** A spec for the synthetic images: BGR and uneven mean/std, so that channel order and normalisation both show. */
export function syntheticSpec(imageSize = 4): PreprocessSpec {
  return {
    inputSize: imageSize,
    resizeShorterSide: imageSize,
    channelOrder: 'BGR',
    scale: 1 / 255,
    mean: [0.1, 0.5, 0.9],
    std: [0.2, 0.3, 0.4],
  };
}
