/** What the markers before a JPEG's first scan say about it. */
export interface JpegHeader {
  /** The frame marker's code: 0xC0 baseline, 0xC1 extended, 0xC2 progressive (Huffman); others are rarer codings. */
  readonly frameMarker: number;
  /** Bits per sample (8 or 12). */
  readonly precision: number;
  readonly width: number;
  readonly height: number;
  /** 1 grey, 3 YCbCr (or RGB), 4 CMYK/YCCK. */
  readonly components: number;
  /** The EXIF orientation tag (1–8), when an Exif APP1 segment carries one. */
  readonly orientation: number | undefined;
}

const START_OF_IMAGE = 0xd8;
const START_OF_SCAN = 0xda;
const END_OF_IMAGE = 0xd9;
const EXIF_APP1 = 0xe1;
const ORIENTATION_TAG = 0x0112;

/**
 * Reads the segments of a JPEG up to its first scan: the frame header (size, precision, components) and the EXIF
 * orientation. Undefined for anything that is not a well-formed JPEG up to that point; the caller then leaves the
 * file to the general decoder, which explains what is wrong with it.
 */
export function readJpegHeader(bytes: Uint8Array): JpegHeader | undefined {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== START_OF_IMAGE) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let frame: Omit<JpegHeader, 'orientation'> | undefined;
  let orientation: number | undefined;
  let pos = 2;
  while (pos + 4 <= bytes.length) {
    if (bytes[pos] !== 0xff) return undefined;
    const marker = bytes[pos + 1]!;
    if (marker === 0xff) {
      pos += 1; // a fill byte before the marker
      continue;
    }
    if (marker === START_OF_SCAN) return frame === undefined ? undefined : { ...frame, orientation };
    if (marker === END_OF_IMAGE) return undefined;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      pos += 2; // markers without a length
      continue;
    }
    const length = view.getUint16(pos + 2);
    const start = pos + 4;
    const end = pos + 2 + length;
    if (length < 2 || end > bytes.length) return undefined;
    if (isFrameMarker(marker)) {
      if (length < 8) return undefined;
      frame = {
        frameMarker: marker,
        precision: bytes[start]!,
        height: view.getUint16(start + 1),
        width: view.getUint16(start + 3),
        components: bytes[start + 5]!,
      };
    } else if (marker === EXIF_APP1 && orientation === undefined) {
      orientation = exifOrientation(view, start, end);
    }
    pos = end;
  }
  return undefined;
}

/** SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range. */
function isFrameMarker(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/** Tag 0x0112 of IFD0 in an `Exif\0\0` APP1 segment spanning [start, end), or undefined. */
function exifOrientation(view: DataView, start: number, end: number): number | undefined {
  const isExif = end - start >= 14 && [0x45, 0x78, 0x69, 0x66, 0, 0].every((b, i) => view.getUint8(start + i) === b);
  if (!isExif) return undefined;
  const tiff = start + 6;
  const order = view.getUint16(tiff);
  if (order !== 0x4949 && order !== 0x4d4d) return undefined;
  const little = order === 0x4949;
  const ifd = tiff + view.getUint32(tiff + 4, little);
  if (ifd + 2 > end) return undefined;
  const entries = view.getUint16(ifd, little);
  for (let k = 0; k < entries; k++) {
    const entry = ifd + 2 + 12 * k;
    if (entry + 12 > end) return undefined;
    if (view.getUint16(entry, little) === ORIENTATION_TAG) return view.getUint16(entry + 8, little);
  }
  return undefined;
}
