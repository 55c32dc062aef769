import type { PreprocessSpec } from './spec.js';

export interface Size {
  readonly width: number;
  readonly height: number;
}

export interface CropBox {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** Where an image of a given size goes: the size it is resampled to, then the square cut out of that. */
export interface PreprocessGeometry {
  readonly resize: Size;
  /** False when the resize size equals the source size: Pillow then copies the image instead of resampling it. */
  readonly needsResize: boolean;
  readonly crop: CropBox;
}

/**
 * torchvision's `Resize(shorterSide)` on a width × height image (torchvision 0.14
 * `_compute_resized_output_size`): the shorter side becomes `shorterSide` and the other
 * `int(shorterSide * long / short)`, truncated, not rounded. A square stays square.
 */
export function resizeShorterSideTo(width: number, height: number, shorterSide: number): Size {
  const [short, long] = width <= height ? [width, height] : [height, width];
  // Same double-precision product and quotient as Python's `requested * long / short`, then int() truncation.
  const newLong = Math.trunc((shorterSide * long) / short);
  return width <= height ? { width: shorterSide, height: newLong } : { width: newLong, height: shorterSide };
}

/** Python 3's round(): halves go to the even neighbour (round(16.5) = 16, round(17.5) = 18). */
export function roundHalfToEven(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor;
  if (fraction !== 0.5) return Math.round(x);
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * torchvision's `CenterCrop(size)` box (0.14 `F.center_crop`): `top = int(round((height - size) / 2.0))`, the same
 * for left. Python's round sends .5 to even, so a 341-wide image is cut from x = 58, not 59.
 */
export function centreCropBox(width: number, height: number, size: number): CropBox {
  if (size > width || size > height) {
    throw new RangeError(`centre crop: ${size}×${size} does not fit in ${width}×${height}`);
  }
  return {
    left: roundHalfToEven((width - size) / 2),
    top: roundHalfToEven((height - size) / 2),
    width: size,
    height: size,
  };
}

/** Resize then centre crop for a width × height image under `spec`, as torchvision computes both. */
export function preprocessGeometry(width: number, height: number, spec: PreprocessSpec): PreprocessGeometry {
  const resize = resizeShorterSideTo(width, height, spec.resizeShorterSide);
  return {
    resize,
    needsResize: resize.width !== width || resize.height !== height,
    crop: centreCropBox(resize.width, resize.height, spec.inputSize),
  };
}
