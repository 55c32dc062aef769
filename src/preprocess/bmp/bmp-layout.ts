/**
 * A BMP's headers read the way Pillow's BmpImagePlugin reads them, into what the decoder needs: size, row order,
 * how the pixels are stored and how each becomes RGB. Browser-safe (no Node API); reads no pixel.
 *
 * Pillow's choices kept here, each deliberately (they decide the bytes PIL gives, which are the reference):
 * - sizes are unsigned, and a height is top-down only when its top byte is 0xFF (Pillow's `y_flip`);
 * - a palette of greys 0, 1, 2 … (or black and white when it has two colours) is not a palette: the image becomes
 *   PIL's mode 'L' (8 bits a pixel whatever the file's depth) or '1' (1 bit a pixel), as Pillow reads it;
 * - palette entries the file does not have are Pillow 9.4's initial ramp (index i is grey i; 10.1 and later: black);
 * - a pixel-data offset that points just past the headers skips the palette (Pillow's repair of bad writers).
 * Where Pillow 9.4 is wrong and later Pillow fixed it (52- and 56-byte headers, that repair for 3-byte palette
 * entries), this follows the fix.
 */
import { viewOf } from '../header/image-header.js';

/** Information-header sizes Pillow reads: OS/2 1.x core, INFO, V2, V3, OS/2 2.x, V4, V5. */
const HEADER_SIZES: ReadonlySet<number> = new Set([12, 40, 52, 56, 64, 108, 124]);
const FILE_HEADER = 14;
const RAW = 0;
const RLE8 = 1;
const RLE4 = 2;
const BITFIELDS = 3;
const COMPRESSION_NAMES: Readonly<Record<number, string>> = { 4: 'JPEG', 5: 'PNG' };

/** Stored indices (1, 4 or 8 bits each, or bytes out of RLE) looked up in a 256 × RGB table. */
export interface IndexedPixels {
  readonly kind: 'indexed';
  /** Bits each index takes in a row, as Pillow unpacks them (8 for a palette of greys read as mode 'L'). */
  readonly bits: 1 | 4 | 8;
  /** 256 entries of R, G, B. */
  readonly table: Uint8Array;
}

/** 16-bit pixels, little-endian, blue in the low 5 bits; green 5 bits (5-5-5) or 6 (5-6-5). */
export interface Packed16Pixels {
  readonly kind: 'packed16';
  readonly greenBits: 5 | 6;
}

/** 3- or 4-byte pixels whose red, green and blue are whole bytes at these positions (alpha and padding dropped). */
export interface BytePixels {
  readonly kind: 'bytes';
  readonly size: 3 | 4;
  readonly red: number;
  readonly green: number;
  readonly blue: number;
}

export type BmpPixels = IndexedPixels | Packed16Pixels | BytePixels;

/** What decoding a BMP needs, read from its headers. */
export interface BmpLayout {
  readonly width: number;
  readonly height: number;
  /** Rows stored top row first (a negative height); otherwise bottom row first. */
  readonly topDown: boolean;
  /** 'raw': rows of `stride` bytes; 'rle8' / 'rle4': run-length coded indices (pixels is then indexed). */
  readonly coding: 'raw' | 'rle8' | 'rle4';
  readonly pixels: BmpPixels;
  /** Where the pixel data starts in the file. */
  readonly dataOffset: number;
  /** Bytes from one stored row to the next (raw coding), rows padded to 4 bytes. */
  readonly stride: number;
  /** Bytes of a row that the pixels take (raw coding): the last row needs no padding after it. */
  readonly rowBytes: number;
}

/** Why a BMP is refused: damaged (`corrupt`), or a kind that Pillow does not read either. */
export interface BmpProblem {
  readonly problem: string;
  readonly unsupported: boolean;
}

export function isBmpProblem<T extends object>(reading: T | BmpProblem): reading is BmpProblem {
  return 'problem' in reading;
}

const corrupt = (problem: string): BmpProblem => ({ problem, unsupported: false });
const unsupported = (problem: string): BmpProblem => ({ problem, unsupported: true });

/** The layout of the BMP in `bytes` (which start with 'BM'), or why it cannot be decoded. */
export function readBmpLayout(bytes: Uint8Array): BmpLayout | BmpProblem {
  if (bytes.length < FILE_HEADER + 4) return corrupt('it ends inside its file header');
  const view = viewOf(bytes);
  const headerSize = view.getUint32(FILE_HEADER, true);
  if (!HEADER_SIZES.has(headerSize)) return unsupported(`an information header of ${headerSize} bytes`);
  if (bytes.length < FILE_HEADER + headerSize) return corrupt('it ends inside its information header');
  const info = FILE_HEADER + 4; // the fields after the header's size
  const core = headerSize === 12;
  const width = core ? view.getUint16(info, true) : view.getUint32(info, true);
  const storedHeight = core ? view.getUint16(info + 2, true) : view.getUint32(info + 4, true);
  const topDown = !core && bytes[info + 7] === 0xff;
  const height = topDown ? 2 ** 32 - storedHeight : storedHeight;
  const bits = core ? view.getUint16(info + 6, true) : view.getUint16(info + 10, true);
  const compression = core ? RAW : view.getUint32(info + 12, true);
  const coloursUsed = core ? 0 : view.getUint32(info + 28, true);
  const entrySize = core ? 3 : 4;
  let afterHeaders = FILE_HEADER + headerSize;

  if (![1, 4, 8, 16, 24, 32].includes(bits)) return unsupported(`${bits} bits per pixel`);
  let pixels: BmpPixels | undefined;
  if (compression === BITFIELDS) {
    let masks: readonly number[];
    if (headerSize - 4 >= 48) {
      masks = [0, 4, 8, 12].map((at) => (at === 12 && headerSize - 4 < 52 ? 0 : view.getUint32(54 + at, true)));
    } else {
      // A 40-byte header's three masks follow it, as if they were the start of a palette.
      if (bytes.length < afterHeaders + 12) return corrupt('it ends inside its colour masks');
      masks = [0, 4, 8].map((at) => view.getUint32(afterHeaders + at, true)).concat(0);
      afterHeaders += 12;
    }
    pixels = bitfieldPixels(bits, masks);
    if (pixels === undefined) return unsupported(`colour masks ${describeMasks(masks)} at ${bits} bits per pixel`);
  } else if (compression === RAW) {
    if (bits === 16) pixels = { kind: 'packed16', greenBits: 5 };
    if (bits === 24) pixels = { kind: 'bytes', size: 3, red: 2, green: 1, blue: 0 };
    if (bits === 32) pixels = { kind: 'bytes', size: 4, red: 2, green: 1, blue: 0 };
  } else if (compression === RLE8 || compression === RLE4) {
    if (bits > 8) return unsupported(`RLE${compression === RLE8 ? 8 : 4} compression at ${bits} bits per pixel`);
  } else {
    const name = COMPRESSION_NAMES[compression] ?? 'unknown';
    return unsupported(`${name} compression (${compression})`);
  }

  const colours = bits <= 8 ? coloursUsed || 2 ** bits : 0;
  let dataOffset = view.getUint32(10, true);
  if (dataOffset === FILE_HEADER + headerSize && bits <= 8) dataOffset += entrySize * colours;
  const coding = compression === RLE8 ? 'rle8' : compression === RLE4 ? 'rle4' : 'raw';

  if (pixels === undefined) {
    const read = readPalette(bytes, afterHeaders, colours, entrySize, bits as 1 | 4 | 8);
    if (isBmpProblem(read)) return read;
    // Pillow makes such an image mode '1', for which its RLE decoder has no raw mode.
    if (coding !== 'raw' && read.blackAndWhite) return unsupported('RLE with a black-and-white palette');
    pixels = read.pixels;
    afterHeaders = Math.min(afterHeaders + entrySize * colours, bytes.length); // where Pillow's read of it ends
  }
  // Pillow takes an offset of 0 as "where the headers (and the palette) end".
  if (dataOffset === 0) dataOffset = afterHeaders;

  const storedBits = pixels.kind === 'indexed' ? pixels.bits : pixels.kind === 'packed16' ? 16 : 8 * pixels.size;
  const stride = Math.floor((width * bits + 31) / 32) * 4;
  const rowBytes = Math.ceil((width * storedBits) / 8);
  if (coding === 'raw' && rowBytes > stride) {
    return unsupported(`a ${bits}-bit palette of greys, which Pillow reads as 8-bit rows longer than the file's`);
  }
  return { width, height, topDown, coding, pixels, dataOffset, stride, rowBytes };
}

/** The pixel layouts Pillow accepts for BI_BITFIELDS (masks R, G, B, A), and nothing else. */
function bitfieldPixels(bits: number, masks: readonly number[]): BmpPixels | undefined {
  const [r, g, b] = masks;
  if (bits === 16) {
    if (r === 0xf800 && g === 0x7e0 && b === 0x1f) return { kind: 'packed16', greenBits: 6 };
    if (r === 0x7c00 && g === 0x3e0 && b === 0x1f) return { kind: 'packed16', greenBits: 5 };
    return undefined;
  }
  if (bits === 24) {
    return r === 0xff0000 && g === 0xff00 && b === 0xff
      ? { kind: 'bytes', size: 3, red: 2, green: 1, blue: 0 }
      : undefined;
  }
  if (bits !== 32) return undefined;
  const key = masks.map((mask) => mask.toString(16)).join(',');
  return THIRTY_TWO_BIT_MASKS.get(key);
}

/** Pillow's 32-bit mask sets (its BGRX, XBGR, BGXR, ABGR, RGBA, BGRA, BGAR and all-zero BGRA), by byte position. */
const THIRTY_TWO_BIT_MASKS: ReadonlyMap<string, BytePixels> = new Map(
  (
    [
      [
        [0xff0000, 0xff00, 0xff, 0],
        [2, 1, 0],
      ],
      [
        [0xff000000, 0xff0000, 0xff00, 0],
        [3, 2, 1],
      ],
      [
        [0xff000000, 0xff00, 0xff, 0],
        [3, 1, 0],
      ],
      [
        [0xff000000, 0xff0000, 0xff00, 0xff],
        [3, 2, 1],
      ],
      [
        [0xff, 0xff00, 0xff0000, 0xff000000],
        [0, 1, 2],
      ],
      [
        [0xff0000, 0xff00, 0xff, 0xff000000],
        [2, 1, 0],
      ],
      [
        [0xff000000, 0xff00, 0xff, 0xff0000],
        [3, 1, 0],
      ],
      [
        [0, 0, 0, 0],
        [2, 1, 0],
      ],
    ] as const
  ).map(([masks, [red, green, blue]]) => [
    masks.map((mask) => mask.toString(16)).join(','),
    { kind: 'bytes', size: 4, red, green, blue },
  ]),
);

function describeMasks(masks: readonly number[]): string {
  return masks.map((mask) => `0x${mask.toString(16)}`).join('/');
}

/**
 * The colour table of a 1-, 4- or 8-bit BMP as Pillow makes it: a palette of greys 0, 1, 2 … is read as mode 'L'
 * (each index is its own grey, 8 bits a pixel whatever the file says), a two-colour black-and-white one as mode
 * '1' (1 bit a pixel); any other is a palette over Pillow 9.4's initial grey ramp, so an index past the file's
 * entries is grey at its own value. A palette the file ends inside is what Pillow reads of it: its whole entries.
 */
function readPalette(
  bytes: Uint8Array,
  at: number,
  colours: number,
  entrySize: number,
  bits: 1 | 4 | 8,
): { pixels: IndexedPixels; blackAndWhite: boolean } | BmpProblem {
  if (colours > 65_536) return unsupported(`a palette of ${colours} colours`);
  const stored = bytes.subarray(at, at + entrySize * colours);
  const greys = colours === 2 ? [0, 255] : Array.from({ length: colours }, (_, i) => i & 0xff);
  const isGreyRamp = greys.every(
    (grey, i) => (i + 1) * entrySize <= stored.length && [0, 1, 2].every((c) => stored[i * entrySize + c] === grey),
  );
  const table = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) table.fill(i, i * 3, i * 3 + 3);
  if (isGreyRamp) {
    if (colours !== 2) return { pixels: { kind: 'indexed', bits: 8, table }, blackAndWhite: false };
    table.fill(255, 3, 6); // mode '1': a set bit is white
    return { pixels: { kind: 'indexed', bits: 1, table }, blackAndWhite: true };
  }
  const entries = Math.floor(stored.length / entrySize);
  // Pillow's palettes hold 256 colours; it fails on more (a grey ramp of more is mode 'L' and never a palette).
  if (entries > 256) return unsupported(`a palette of ${colours} colours`);
  for (let i = 0; i < entries; i++) {
    const entry = i * entrySize; // stored blue, green, red (and a reserved byte)
    table[i * 3] = stored[entry + 2]!;
    table[i * 3 + 1] = stored[entry + 1]!;
    table[i * 3 + 2] = stored[entry]!;
  }
  return { pixels: { kind: 'indexed', bits, table }, blackAndWhite: false };
}
