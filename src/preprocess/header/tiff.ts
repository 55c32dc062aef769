import { viewOf, type HeaderReading } from './image-header.js';

const IMAGE_WIDTH = 256;
const IMAGE_LENGTH = 257;
const SHORT = 3;
const LONG = 4;

/**
 * A TIFF's first page size (the one libvips decodes by default) from its first image file directory, and its pages
 * counted along the directory chain up to `maxPages + 1` (a chain that loops back ends the count).
 */
export function readTiff(bytes: Uint8Array, maxPages: number): HeaderReading {
  if (bytes.length < 8) return { format: 'tiff', problem: 'it ends inside its header' };
  const view = viewOf(bytes);
  const little = bytes[0] === 0x49;
  const first = view.getUint32(4, little);
  let width: number | undefined;
  let height: number | undefined;
  let pages = 0;
  const seen = new Set<number>();
  for (let ifd = first; ifd !== 0 && !seen.has(ifd) && pages <= maxPages;) {
    if (ifd + 2 > bytes.length) break;
    seen.add(ifd);
    const entries = view.getUint16(ifd, little);
    const end = ifd + 2 + 12 * entries;
    if (end + 4 > bytes.length) break;
    pages += 1;
    if (pages === 1) {
      for (let entry = ifd + 2; entry < end; entry += 12) {
        const tag = view.getUint16(entry, little);
        if (tag !== IMAGE_WIDTH && tag !== IMAGE_LENGTH) continue;
        const value = readCount(view, entry, little);
        if (tag === IMAGE_WIDTH) width = value;
        else height = value;
      }
    }
    ifd = view.getUint32(end, little);
  }
  if (width === undefined || height === undefined)
    return { format: 'tiff', problem: 'no image width and length in its first directory' };
  return { format: 'tiff', width, height, frames: pages, scans: 1 };
}

/** A SHORT or LONG value held in a directory entry itself; undefined for any other type. */
function readCount(view: DataView, entry: number, little: boolean): number | undefined {
  const type = view.getUint16(entry + 2, little);
  if (type === SHORT) return view.getUint16(entry + 8, little);
  if (type === LONG) return view.getUint32(entry + 8, little);
  return undefined;
}
