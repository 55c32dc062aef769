/**
 * BMP run-length decoding (BI_RLE8, BI_RLE4) as Pillow's BmpRleDecoder does it, since its output is the
 * reference: indices laid out as one stream of width × height in stored row order, in which
 * - a run longer than what is left of its row is cut at the row's end;
 * - an absolute (literal) run is not cut: it goes on into the next row;
 * - end of line pads the row with index 0, a delta skips right and up over index-0 pixels (counted from the
 *   position in the stream, so a skip past the row's end lands in a later row);
 * - end of bitmap, or the bytes running out, stops decoding; what lies past the image is dropped;
 * - literal runs are padded to an even position in the file.
 * Pillow 9.4 read a delta's two bytes twice and an odd literal RLE4 run one byte short; later Pillow fixed both
 * (python-pillow/Pillow#9443, #9710) and so is followed here. Each step reads at least two bytes and writes only
 * pixels inside the image, so the work is linear in the coded bytes plus the image.
 */

export interface RleStream {
  readonly bytes: Uint8Array;
  /** Where the coded pixels start in `bytes` (a file position: literal runs are aligned on the file's bytes). */
  readonly start: number;
  readonly width: number;
  /** width × height: decoding stops once this many indices are placed. */
  readonly pixels: number;
  /** RLE4: two 4-bit indices a byte; RLE8: one 8-bit index. */
  readonly fourBit: boolean;
}

/**
 * Decodes the stream into `out` (width × height indices, zeroed beforehand), or with no `out` only counts:
 * returns how many pixels the stream reaches, which is short of `pixels` when it ends early (Pillow then refuses
 * the image: "not enough image data"). Counting first lets a short stream be refused before anything is allocated.
 */
export function decodeRle(stream: RleStream, out?: Uint8Array): number {
  const { bytes, width, pixels, fourBit } = stream;
  let at = stream.start;
  let placed = 0;
  let x = 0;
  while (placed < pixels && at + 2 <= bytes.length) {
    const count = bytes[at]!;
    const value = bytes[at + 1]!;
    at += 2;
    if (count > 0) {
      const run = Math.min(Math.max(0, width - x), count, pixels - placed);
      if (out !== undefined) fillRun(out, placed, run, value, fourBit);
      placed += run;
      x += run;
    } else if (value === 0) {
      placed = Math.ceil(placed / width) * width; // end of line
      x = 0;
    } else if (value === 1) {
      break; // end of bitmap
    } else if (value === 2) {
      if (at + 2 > bytes.length) break;
      placed += bytes[at]! + bytes[at + 1]! * width; // delta: right, then up (rows onward in the stream)
      x = placed % width;
      at += 2;
    } else {
      const wanted = Math.min(value, pixels - placed);
      const byteCount = fourBit ? Math.ceil(wanted / 2) : wanted;
      const available = Math.min(byteCount, bytes.length - at);
      const copied = fourBit ? Math.min(wanted, available * 2) : available;
      if (out !== undefined) copyLiteral(out, placed, bytes, at, copied, fourBit);
      placed += copied;
      at += available;
      if (available < byteCount || placed === pixels) break;
      x += value;
      at += at % 2; // literal runs end on an even file position
    }
  }
  return Math.min(placed, pixels);
}

function fillRun(out: Uint8Array, at: number, run: number, value: number, fourBit: boolean): void {
  if (!fourBit) {
    out.fill(value, at, at + run);
    return;
  }
  // RLE4 runs alternate the byte's two indices, high nibble first.
  for (let i = 0; i < run; i++) out[at + i] = i % 2 === 0 ? value >> 4 : value & 0x0f;
}

function copyLiteral(out: Uint8Array, at: number, bytes: Uint8Array, from: number, count: number, fourBit: boolean) {
  if (!fourBit) {
    out.set(bytes.subarray(from, from + count), at);
    return;
  }
  for (let i = 0; i < count; i++) {
    const byte = bytes[from + (i >> 1)]!;
    out[at + i] = i % 2 === 0 ? byte >> 4 : byte & 0x0f;
  }
}
