import type { RawPixels } from './pixels.js';

/*
 * Pillow's `Image.resize(size, Image.BILINEAR)`, which torchvision's `Resize` calls on PIL images, re-done so that
 * it gives the same bytes. Pillow does not interpolate between the four nearest pixels: it convolves with a
 * triangle filter whose width grows with the reduction factor (so shrinking averages every source pixel, an
 * antialiasing filter), in two separable passes, horizontal then vertical, rounding to 8 bits after each, with
 * 22-bit fixed-point weights. Every one of those details changes some output bytes; none of sharp's (libvips')
 * kernels reproduces them (measured in ./README.md: up to 128 levels apart when enlarging).
 */

/** Pillow's fixed-point precision for 8-bit images: 32 bits - 8 for the sample - 2 for overshoot. */
const PRECISION_BITS = 22;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);

interface Weights {
  /** For output position i: first source index `bounds[2i]`, number of taps `bounds[2i + 1]`. */
  readonly bounds: Int32Array;
  /** `taps` fixed-point weights per output position (unused ones are 0). */
  readonly weights: Int32Array;
  readonly taps: number;
}

function triangle(x: number): number {
  const distance = Math.abs(x);
  return distance < 1 ? 1 - distance : 0;
}

/** Filter weights for resampling `inSize` samples to `outSize` (Pillow's precompute_coeffs + normalize_coeffs_8bpc). */
function bilinearWeights(inSize: number, outSize: number): Weights {
  const scale = inSize / outSize;
  // Enlarging keeps the filter one source pixel wide; shrinking widens it to cover every source pixel.
  const filterScale = Math.max(scale, 1);
  const support = filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Int32Array(outSize * taps);
  const exact = new Float64Array(taps);
  for (let out = 0; out < outSize; out++) {
    const centre = (out + 0.5) * scale;
    // C's (int) cast truncates; Pillow adds 0.5 first to round.
    const first = Math.max(0, Math.trunc(centre - support + 0.5));
    const count = Math.min(inSize, Math.trunc(centre + support + 0.5)) - first;
    let total = 0;
    for (let i = 0; i < count; i++) {
      const w = triangle((i + first - centre + 0.5) / filterScale);
      exact[i] = w;
      total += w;
    }
    for (let i = 0; i < count; i++) {
      const normalised = total !== 0 ? exact[i]! / total : exact[i]!;
      // The triangle is never negative, so Pillow's rounding of negative weights is not needed.
      weights[out * taps + i] = Math.trunc(0.5 + normalised * ONE);
    }
    bounds[out * 2] = first;
    bounds[out * 2 + 1] = count;
  }
  return { bounds, weights, taps };
}

/** Fixed-point sum back to a byte: floor division by 2^22 (the sum started at one half, so this rounds), clamped. */
function toByte(sum: number): number {
  const value = sum >> PRECISION_BITS;
  return value < 0 ? 0 : value > 255 ? 255 : value;
}

/** Horizontal pass over source rows [firstRow, firstRow + rows). */
function resampleRows(pixels: RawPixels, width: number, firstRow: number, rows: number): Uint8Array {
  const { channels } = pixels;
  const data = toUint8(pixels.data);
  const { bounds, weights, taps } = bilinearWeights(pixels.width, width);
  const out = new Uint8Array(width * rows * channels);
  const inRow = pixels.width * channels;
  let o = 0;
  for (let y = 0; y < rows; y++) {
    const rowStart = (y + firstRow) * inRow;
    for (let x = 0; x < width; x++) {
      const start = rowStart + bounds[x * 2]! * channels;
      const count = bounds[x * 2 + 1]!;
      const k = x * taps;
      if (channels === 3) {
        // RGB, the common case, with the three sums in one loop: a third of the loop overhead and weight reads.
        let r = HALF;
        let g = HALF;
        let b = HALF;
        for (let i = 0, p = start; i < count; i++, p += 3) {
          const w = weights[k + i]!;
          r += data[p]! * w;
          g += data[p + 1]! * w;
          b += data[p + 2]! * w;
        }
        out[o++] = toByte(r);
        out[o++] = toByte(g);
        out[o++] = toByte(b);
        continue;
      }
      for (let c = 0; c < channels; c++) {
        let sum = HALF;
        for (let i = 0, p = start + c; i < count; i++, p += channels) sum += data[p]! * weights[k + i]!;
        out[o++] = toByte(sum);
      }
    }
  }
  return out;
}

/** Vertical pass; `bounds` from `weights` are relative to the first row of `data`. */
function resampleColumns(data: Uint8Array, rowLength: number, vertical: Weights, height: number): Uint8Array {
  const { bounds, weights, taps } = vertical;
  const out = new Uint8Array(rowLength * height);
  const sums = new Int32Array(rowLength);
  for (let y = 0; y < height; y++) {
    const first = bounds[y * 2]!;
    const count = bounds[y * 2 + 1]!;
    sums.fill(HALF);
    // Row by row rather than tap by tap per pixel: same sums, contiguous memory.
    for (let i = 0; i < count; i++) {
      const weight = weights[y * taps + i]!;
      const row = (first + i) * rowLength;
      for (let x = 0; x < rowLength; x++) sums[x]! += data[row + x]! * weight;
    }
    const o = y * rowLength;
    for (let x = 0; x < rowLength; x++) out[o + x] = toByte(sums[x]!);
  }
  return out;
}

/**
 * `pixels` resized to width × height exactly as Pillow 9's `Image.resize((width, height), Image.BILINEAR)`
 * resizes 8-bit images (byte for byte; channels are independent, so grey and RGB alike). The same size gives a
 * copy, as in Pillow.
 */
export function resizeBilinear(pixels: RawPixels, width: number, height: number): RawPixels {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`resizeBilinear: target size must be positive integers, got ${width}×${height}`);
  }
  const { channels } = pixels;
  if (width === pixels.width && height === pixels.height) {
    return { data: Uint8Array.from(pixels.data), width, height, channels };
  }
  const vertical = bilinearWeights(pixels.height, height);
  if (width === pixels.width) {
    return { data: resampleColumns(toUint8(pixels.data), width * channels, vertical, height), width, height, channels };
  }
  // Only the source rows the vertical pass reads are resampled horizontally (Pillow does the same).
  const firstRow = vertical.bounds[0]!;
  const lastRow = vertical.bounds[(height - 1) * 2]! + vertical.bounds[(height - 1) * 2 + 1]!;
  const rows = resampleRows(pixels, width, firstRow, lastRow - firstRow);
  if (height === pixels.height) return { data: rows, width, height, channels };
  const shifted = new Int32Array(vertical.bounds);
  for (let y = 0; y < height; y++) shifted[y * 2]! -= firstRow;
  return {
    data: resampleColumns(rows, width * channels, { ...vertical, bounds: shifted }, height),
    width,
    height,
    channels,
  };
}

function toUint8(data: Uint8Array | Uint8ClampedArray): Uint8Array {
  return data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.length);
}
