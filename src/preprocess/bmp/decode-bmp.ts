import { ImageError } from '../errors.js';
import type { RawPixels } from '../pixels.js';
import { isBmpProblem, readBmpLayout, type BmpLayout, type BmpPixels } from './bmp-layout.js';
import { decodeRle } from './bmp-rle.js';

/** Most bytes of RGB one decoded BMP may take (a Uint8Array's safe length everywhere, Node's Buffer included). */
const MAX_RGB_BYTES = 2 ** 31 - 1;

/**
 * A BMP (BITMAPCOREHEADER, INFO, V2 to V5; 1, 4, 8-bit palettes, 16-bit 5-5-5 and 5-6-5, 24-bit, 32-bit with or
 * without bit fields, RLE8, RLE4; bottom-up or top-down) → RGB pixels equal byte for byte to Pillow's
 * `Image.open(path).convert('RGB')`: alpha dropped, 5- and 6-bit values widened as Pillow widens them
 * (`v * 255 / 31`, truncated). Browser-safe, synchronous, linear in the file plus the image.
 *
 * The caller checks the header first (checkEncodedImage: format, pixel limit); this still refuses, with a one-line
 * ImageError naming the image (`label`), every file Pillow refuses: pixel data cut short (checked before anything
 * is allocated) and RLE data that ends before the image is full (counted before anything is allocated).
 */
export function decodeBmp(bytes: Uint8Array, label: string): RawPixels {
  const layout = readBmpLayout(bytes);
  if (isBmpProblem(layout)) {
    throw new ImageError(
      layout.unsupported
        ? `${label} is a BMP image of a kind Pillow does not read either (${layout.problem})`
        : `${label} is a truncated or corrupt BMP image (${layout.problem})`,
    );
  }
  const { width, height } = layout;
  if (width === 0 || height === 0) throw new ImageError(`${label} has no pixels (${width}×${height})`);
  if (width * height * 3 > MAX_RGB_BYTES) {
    throw new ImageError(`${label} is ${width}×${height}, too large to hold its RGB pixels in memory`);
  }
  const rgb = layout.coding === 'raw' ? decodeRawRows(bytes, layout, label) : decodeRunLengths(bytes, layout, label);
  return { data: rgb, width, height, channels: 3 };
}

/** Uncompressed rows: each stored row unpacked into its place (the first stored row is the bottom one unless top-down). */
function decodeRawRows(bytes: Uint8Array, layout: BmpLayout, label: string): Uint8Array {
  const { width, height, stride, rowBytes, dataOffset, pixels } = layout;
  // Pillow needs every row's pixels but not the padding after the last row.
  const needed = dataOffset + (height - 1) * stride + rowBytes;
  if (needed > bytes.length) {
    throw new ImageError(
      `${label} is a truncated or corrupt BMP image (its pixel data, ${height} rows of ${stride} bytes from byte ${dataOffset}, needs ${needed} bytes; the file has ${bytes.length})`,
    );
  }
  const rgb = new Uint8Array(width * height * 3);
  const unpack = rowUnpacker(pixels, width);
  for (let row = 0; row < height; row++) {
    const target = layout.topDown ? row : height - 1 - row;
    unpack(bytes, dataOffset + row * stride, rgb, target * width * 3);
  }
  return rgb;
}

/** RLE: the indices decoded once counted (a stream too short is refused before any allocation), then looked up. */
function decodeRunLengths(bytes: Uint8Array, layout: BmpLayout, label: string): Uint8Array {
  const { width, height } = layout;
  const stream = {
    bytes,
    start: Math.min(layout.dataOffset, bytes.length),
    width,
    pixels: width * height,
    fourBit: layout.coding === 'rle4',
  };
  const reached = decodeRle(stream);
  if (reached < stream.pixels) {
    throw new ImageError(
      `${label} is a truncated or corrupt BMP image (its ${layout.coding.toUpperCase()} data ends after ${reached} of its ${stream.pixels} pixels)`,
    );
  }
  const indices = new Uint8Array(stream.pixels);
  decodeRle(stream, indices);
  if (layout.pixels.kind !== 'indexed') throw new Error('decodeBmp: RLE layouts are indexed'); // readBmpLayout's rule
  const { table } = layout.pixels;
  const rgb = new Uint8Array(stream.pixels * 3);
  for (let row = 0; row < height; row++) {
    const target = (layout.topDown ? row : height - 1 - row) * width * 3;
    for (let x = 0, from = row * width; x < width; x++) {
      const entry = indices[from + x]! * 3;
      rgb[target + x * 3] = table[entry]!;
      rgb[target + x * 3 + 1] = table[entry + 1]!;
      rgb[target + x * 3 + 2] = table[entry + 2]!;
    }
  }
  return rgb;
}

type RowUnpacker = (bytes: Uint8Array, from: number, rgb: Uint8Array, to: number) => void;

/** Turns one stored row into `width` RGB pixels, the way Pillow's unpacker for that layout does. */
function rowUnpacker(pixels: BmpPixels, width: number): RowUnpacker {
  switch (pixels.kind) {
    case 'indexed': {
      const { bits, table } = pixels;
      const perByte = 8 / bits;
      const mask = (1 << bits) - 1;
      return (bytes, from, rgb, to) => {
        for (let x = 0; x < width; x++) {
          // The leftmost pixel is in the byte's high bits.
          const shift = bits * (perByte - 1 - (x % perByte));
          const entry = ((bytes[from + Math.floor(x / perByte)]! >> shift) & mask) * 3;
          rgb[to + x * 3] = table[entry]!;
          rgb[to + x * 3 + 1] = table[entry + 1]!;
          rgb[to + x * 3 + 2] = table[entry + 2]!;
        }
      };
    }
    case 'packed16': {
      const five = widened(5);
      const green = widened(pixels.greenBits);
      const greenMask = (1 << pixels.greenBits) - 1;
      const redShift = 5 + pixels.greenBits;
      return (bytes, from, rgb, to) => {
        for (let x = 0; x < width; x++) {
          const value = bytes[from + 2 * x]! | (bytes[from + 2 * x + 1]! << 8);
          rgb[to + x * 3] = five[(value >> redShift) & 0x1f]!;
          rgb[to + x * 3 + 1] = green[(value >> 5) & greenMask]!;
          rgb[to + x * 3 + 2] = five[value & 0x1f]!;
        }
      };
    }
    case 'bytes': {
      const { size, red, green, blue } = pixels;
      return (bytes, from, rgb, to) => {
        for (let x = 0, at = from; x < width; x++, at += size) {
          rgb[to + x * 3] = bytes[at + red]!;
          rgb[to + x * 3 + 1] = bytes[at + green]!;
          rgb[to + x * 3 + 2] = bytes[at + blue]!;
        }
      };
    }
  }
}

/** Pillow's widening of an n-bit value to 8 bits (Unpack.c, BGR;15 and BGR;16): `v * 255 / max`, truncated. */
function widened(bits: number): Uint8Array {
  const max = (1 << bits) - 1;
  return Uint8Array.from({ length: max + 1 }, (_, v) => Math.floor((v * 255) / max));
}
