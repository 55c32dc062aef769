import { readJpegHeader } from '../jpeg-header.js';
import type { HeaderReading } from './image-header.js';

const START_OF_SCAN = 0xda;
const END_OF_IMAGE = 0xd9;

/**
 * A JPEG's size from its frame header and its scans counted, up to `maxScans + 1`. Each scan of a progressive JPEG
 * is a pass over the whole image, so a small file of empty scans is a decoding bomb (100,000 of them in 1.2 MB
 * cost libjpeg 10 s): the count bounds that work before a decoder starts.
 */
export function readJpeg(bytes: Uint8Array, maxScans: number): HeaderReading {
  const header = readJpegHeader(bytes);
  if (header === undefined) return { format: 'jpeg', problem: 'its header is cut short or malformed' };
  return {
    format: 'jpeg',
    width: header.width,
    height: header.height,
    frames: 1,
    scans: countJpegScans(bytes, maxScans + 1),
  };
}

/**
 * Start-of-scan markers in a JPEG, counted up to `stopAt`: a walk over the marker segments that skips each scan's
 * entropy-coded data to the next marker (in that data a 0xFF is followed by a stuffed 0x00 or a restart marker,
 * so any other 0xFF pair is the next marker, as libjpeg reads it). Linear in the file's size.
 */
export function countJpegScans(bytes: Uint8Array, stopAt: number): number {
  let scans = 0;
  let pos = 2;
  while (pos + 1 < bytes.length && scans < stopAt) {
    if (bytes[pos] !== 0xff) {
      pos += 1; // stray bytes between segments: libjpeg skips them too (with a warning)
      continue;
    }
    const marker = bytes[pos + 1]!;
    if (marker === 0xff) {
      pos += 1;
      continue;
    }
    if (marker === END_OF_IMAGE) break;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7) || pos + 4 > bytes.length) {
      pos += 2;
      continue;
    }
    pos += 2 + ((bytes[pos + 2]! << 8) | bytes[pos + 3]!);
    if (marker !== START_OF_SCAN) continue;
    scans += 1;
    pos = nextMarker(bytes, pos);
  }
  return scans;
}

/** The position of the marker that ends the entropy-coded data starting at `pos` (or the end of the bytes). */
function nextMarker(bytes: Uint8Array, pos: number): number {
  for (let i = bytes.indexOf(0xff, pos); i >= 0 && i + 1 < bytes.length; i = bytes.indexOf(0xff, i + 1)) {
    const next = bytes[i + 1]!;
    if (next !== 0x00 && next !== 0xff && !(next >= 0xd0 && next <= 0xd7)) return i;
  }
  return bytes.length;
}
