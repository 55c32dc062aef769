import type { Random } from '../../numeric/index.js';

/**
 * The CIFAR-10 augmentation of fixtures/default-model/train.py (and of most CIFAR recipes): a random crop of the
 * image padded by `padding` pixels on every side, then a horizontal flip with probability ½.
 *
 * It works on the normalised tensor and pads with zeros there, as train.py does (`F.pad` after normalising), so
 * padding takes the dataset's mean colour. torchvision's `RandomCrop(32, padding=4)` on a PIL image pads with
 * black pixels instead, which differ after normalisation: this module follows train.py, the project's own recipe.
 */
export interface CropFlip {
  /** Left edge of the crop in the padded image, 0 … 2·padding. */
  readonly left: number;
  /** Top edge of the crop in the padded image, 0 … 2·padding. */
  readonly top: number;
  readonly flip: boolean;
}

/** Draws one crop position and flip: left, then top, then the flip (a fixed order, so a seed fixes all three). */
export function drawCropFlip(random: Random, padding: number): CropFlip {
  const left = random.nextInt(2 * padding + 1);
  const top = random.nextInt(2 * padding + 1);
  return { left, top, flip: random.nextFloat() < 0.5 };
}

/**
 * Writes into `target` (at `targetOffset`) the `size`×`size` crop of `source` zero-padded by `padding`, its top-left
 * corner at (`left`, `top`) of the padded image, mirrored left–right when `flip`: for every plane,
 * `target[y][x] = padded[top + y][left + (flip ? size − 1 − x : x)]`. `source` holds `planes` planes of size×size.
 */
export function cropFlipPlanes(
  source: Float32Array,
  planes: number,
  size: number,
  padding: number,
  { left, top, flip }: CropFlip,
  target: Float32Array,
  targetOffset = 0,
): void {
  const area = size * size;
  for (let plane = 0; plane < planes; plane++) {
    const from = plane * area;
    const to = targetOffset + plane * area;
    for (let y = 0; y < size; y++) {
      const sourceY = top + y - padding;
      const row = to + y * size;
      if (sourceY < 0 || sourceY >= size) {
        target.fill(0, row, row + size);
        continue;
      }
      const sourceRow = from + sourceY * size;
      for (let x = 0; x < size; x++) {
        const sourceX = left + (flip ? size - 1 - x : x) - padding;
        target[row + x] = sourceX >= 0 && sourceX < size ? source[sourceRow + sourceX]! : 0;
      }
    }
  }
}
