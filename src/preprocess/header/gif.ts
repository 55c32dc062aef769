import { viewOf, type HeaderReading } from './image-header.js';

const EXTENSION = 0x21;
const IMAGE_DESCRIPTOR = 0x2c;
const TRAILER = 0x3b;

/**
 * A GIF's canvas and frames, counted up to `maxFrames + 1`. The canvas is the logical screen grown to every frame
 * seen: libvips (libnsgif) draws a frame that overhangs the screen on a larger canvas (a 1×1 screen with a
 * 10000×10000 frame decodes as 10000×10000), so the screen alone would understate what decoding allocates.
 */
export function readGif(bytes: Uint8Array, maxFrames: number): HeaderReading {
  if (bytes.length < 13) return { format: 'gif', problem: 'it ends inside its screen descriptor' };
  const view = viewOf(bytes);
  let width = view.getUint16(6, true);
  let height = view.getUint16(8, true);
  let pos = 13 + colourTableSize(bytes[10]!);
  let frames = 0;
  while (pos < bytes.length && frames <= maxFrames) {
    const block = bytes[pos]!;
    if (block === TRAILER) break;
    if (block === EXTENSION) {
      pos = skipSubBlocks(bytes, pos + 2);
    } else if (block === IMAGE_DESCRIPTOR) {
      if (pos + 10 > bytes.length) break;
      frames += 1;
      width = Math.max(width, view.getUint16(pos + 1, true) + view.getUint16(pos + 5, true));
      height = Math.max(height, view.getUint16(pos + 3, true) + view.getUint16(pos + 7, true));
      // The descriptor, its local colour table, the LZW code size, then the image data's sub-blocks.
      pos = skipSubBlocks(bytes, pos + 10 + colourTableSize(bytes[pos + 9]!) + 1);
    } else {
      break; // anything else ends what a decoder reads
    }
  }
  if (frames === 0) return { format: 'gif', problem: 'no image in it' };
  return { format: 'gif', width, height, frames, scans: 1 };
}

/** The bytes of the colour table that a screen or image descriptor's packed field announces (0 without one). */
function colourTableSize(packed: number): number {
  return (packed & 0x80) === 0 ? 0 : 3 * 2 ** ((packed & 0x07) + 1);
}

/** The position after a chain of data sub-blocks (each a length byte and that many bytes, a 0 length ending it). */
function skipSubBlocks(bytes: Uint8Array, pos: number): number {
  while (pos < bytes.length) {
    const length = bytes[pos]!;
    pos += 1 + length;
    if (length === 0) break;
  }
  return pos;
}
