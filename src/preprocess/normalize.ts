import { checkPreprocessSpec } from './check-spec.js';
import { checkPixels, type RawPixels } from './pixels.js';
import { toGrey } from './grey.js';
import { specChannels, type PreprocessSpec } from './spec.js';

/**
 * One preprocessed image: a [1, C, S, S] float32 tensor, C the spec's channels (3: colour planes in the spec's
 * channel order; 1: grey).
 *
 * @example
 * ```ts
 * import { preprocessPixels, type PreprocessedImage, type PreprocessSpec } from 'nin-sdk';
 * declare const spec: PreprocessSpec;
 * const image: PreprocessedImage = preprocessPixels({ data: new Uint8Array(64 * 48 * 3), width: 64, height: 48, channels: 3 }, spec);
 * console.log(image.dims); // [1, 3, spec.inputSize, spec.inputSize]
 * ```
 */
export interface PreprocessedImage {
  readonly tensor: Float32Array;
  readonly dims: readonly [1, 1 | 3, number, number];
}

/** Several preprocessed images in one [N, C, S, S] tensor, the layout a model's batch input takes. */
export interface ImageBatch {
  readonly tensor: Float32Array;
  readonly dims: readonly [number, 1 | 3, number, number];
}

const f32 = Math.fround;

/**
 * The value of sample `v` in a plane, computed in float32 one operation at a time as PyTorch does
 * (each double-precision operation on float32 operands, rounded back to float32, gives the float32 result), so
 * that the tensor equals the Python reference's bit for bit when the pixels are the same:
 *   Caffe convention (scale 1): `x.float() - mean`;
 *   `ToTensor()` + `Normalize(mean, std)`: `x.float().div(255)`, then `.sub_(mean).div_(std)`.
 * ToTensor divides by 255 rather than multiplying by 1/255 (the two differ in the last bit for some values), so a
 * scale that is the reciprocal of a whole number is applied as a division by that number.
 */
function planeValue(v: number, scale: number, mean: number, std: number): number {
  const divisor = 1 / scale;
  const scaled = scale === 1 ? v : Number.isInteger(divisor) ? f32(v / divisor) : f32(v * f32(scale));
  return f32(f32(scaled - f32(mean)) / f32(std));
}

/** For each output plane, the value of every possible byte: C × 256 entries, so the per-pixel work is a lookup. */
function lookupTable(spec: PreprocessSpec, planes: number): Float32Array {
  const table = new Float32Array(planes * 256);
  for (let plane = 0; plane < planes; plane++) {
    for (let v = 0; v < 256; v++)
      table[plane * 256 + v] = planeValue(v, spec.scale, spec.mean[plane]!, spec.std[plane]!);
  }
  return table;
}

/** Tables of the specs seen last, by value: a table is 768 float32 computations, otherwise redone for every image. */
const recentTables = new Map<string, Float32Array>();
const RECENT_TABLES = 16;

function cachedLookupTable(spec: PreprocessSpec, planes: number): Float32Array {
  const key = `${planes} ${spec.scale} ${spec.mean.join(' ')} ${spec.std.join(' ')}`;
  let table = recentTables.get(key);
  if (table === undefined) {
    table = lookupTable(spec, planes);
    if (recentTables.size >= RECENT_TABLES) recentTables.clear();
    recentTables.set(key, table);
  }
  return table;
}

/**
 * Pixels that already have the model's input size (spec.inputSize square) → the [C, S, S] float32 tensor (NCHW of
 * one image): planes in `spec.channelOrder`, each sample scaled, minus the mean and divided by the std of its plane.
 * Grey pixels feed all three planes of a colour spec; colour pixels are made grey (PIL's convert('L')) for a
 * 1-channel spec; a fourth (alpha) channel is ignored.
 */
export function pixelsToTensor(pixels: RawPixels, spec: PreprocessSpec): Float32Array {
  checkPreprocessSpec(spec);
  checkPixels(pixels);
  const size = spec.inputSize;
  if (pixels.width !== size || pixels.height !== size) {
    throw new RangeError(
      `pixelsToTensor: pixels are ${pixels.width}×${pixels.height}, the spec needs ${size}×${size} (resize and crop first)`,
    );
  }
  const planes = specChannels(spec);
  const table = cachedLookupTable(spec, planes);
  const { data, channels } = planes === 1 ? toGrey(pixels) : pixels;
  const area = size * size;
  const tensor = new Float32Array(planes * area);
  for (let plane = 0; plane < planes; plane++) {
    // BGR puts the source's blue (channel 2) in plane 0; grey has only channel 0.
    const source = channels === 1 ? 0 : spec.channelOrder === 'BGR' ? 2 - plane : plane;
    const offset = plane * 256;
    for (let i = 0, p = source; i < area; i++, p += channels) tensor[plane * area + i] = table[offset + data[p]!]!;
  }
  return tensor;
}

/** Stacks preprocessed images of one size and channel count into an [N, C, S, S] batch. */
export function stackImages(images: readonly PreprocessedImage[]): ImageBatch {
  const first = images[0];
  if (first === undefined) throw new RangeError('stackImages: no images to stack');
  const [, planes, height, width] = first.dims;
  const length = planes * height * width;
  const tensor = new Float32Array(images.length * length);
  images.forEach((image, i) => {
    const [, c, h, w] = image.dims;
    if (c !== planes || h !== height || w !== width || image.tensor.length !== length) {
      throw new RangeError(`stackImages: image ${i} is ${c}×${h}×${w}, image 0 is ${planes}×${height}×${width}`);
    }
    tensor.set(image.tensor, i * length);
  });
  return { tensor, dims: [images.length, planes, height, width] };
}
