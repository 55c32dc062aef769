import { checkImageDataset, datasetChannels, imageBytes, type ImageDataset } from './image-dataset.js';

/**
 * The bytes of a dataset cache file, so that a second run (or epoch, or process) skips decoding:
 *
 *   8 bytes   magic 'NINIMGS' + format version byte
 *   4 bytes   header length n, uint32 little-endian
 *   n bytes   header, UTF-8 JSON: { key, imageSize, count, classNames, channels? }
 *   2·count   labels, uint16 little-endian
 *   rest      pixels, count × imageSize × imageSize × channels bytes
 *
 * `channels` is written for grey datasets only (1); a header without it is RGB, so files written before grey
 * training still read, and RGB files are written as they always were.
 *
 * `key` says what the cache was made from (source, its size and dates, the geometry): a file whose key differs is
 * another dataset's, or a stale one, and is not used.
 */
const MAGIC = [0x4e, 0x49, 0x4e, 0x49, 0x4d, 0x47, 0x53, 1] as const; // 'NINIMGS', version 1
const PREFIX_BYTES = MAGIC.length + 4;

interface CacheHeader {
  readonly key: string;
  readonly imageSize: number;
  readonly count: number;
  readonly classNames: readonly string[];
  readonly channels?: 1;
}

export function encodeDatasetCache(dataset: ImageDataset, key: string): Uint8Array {
  const header: CacheHeader = {
    key,
    imageSize: dataset.imageSize,
    count: dataset.count,
    classNames: dataset.classNames,
    ...(datasetChannels(dataset) === 1 ? { channels: 1 as const } : {}),
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const labelsAt = PREFIX_BYTES + headerBytes.length;
  const pixelsAt = labelsAt + 2 * dataset.count;
  const bytes = new Uint8Array(pixelsAt + dataset.pixels.length);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC, 0);
  view.setUint32(MAGIC.length, headerBytes.length, true);
  bytes.set(headerBytes, PREFIX_BYTES);
  for (let i = 0; i < dataset.count; i++) view.setUint16(labelsAt + 2 * i, dataset.labels[i]!, true);
  bytes.set(dataset.pixels, pixelsAt);
  return bytes;
}

/**
 * The dataset in a cache file made for `key`. Throws RangeError, naming what is wrong, for a file of another
 * format, version or key, or one cut short. The pixels are a view on `bytes`.
 */
export function decodeDatasetCache(bytes: Uint8Array, key: string): ImageDataset {
  if (bytes.length < PREFIX_BYTES || !MAGIC.every((b, i) => bytes[i] === b)) {
    throw new RangeError('dataset cache: not a cache file of this format version');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(MAGIC.length, true);
  if (PREFIX_BYTES + headerLength > bytes.length) throw new RangeError('dataset cache: truncated header');
  const header = parseHeader(new TextDecoder().decode(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + headerLength)));
  if (header.key !== key) throw new RangeError('dataset cache: made from another source or geometry');
  const labelsAt = PREFIX_BYTES + headerLength;
  const pixelsAt = labelsAt + 2 * header.count;
  const channels = header.channels ?? 3;
  const expected = pixelsAt + header.count * imageBytes(header.imageSize, channels);
  if (bytes.length !== expected)
    throw new RangeError(`dataset cache: ${bytes.length} bytes, its header announces ${expected}`);
  const labels = new Uint16Array(header.count);
  for (let i = 0; i < header.count; i++) labels[i] = view.getUint16(labelsAt + 2 * i, true);
  const dataset: ImageDataset = {
    imageSize: header.imageSize,
    count: header.count,
    pixels: bytes.subarray(pixelsAt),
    labels,
    classNames: header.classNames,
    ...(channels === 1 ? { channels } : {}),
  };
  checkImageDataset(dataset);
  return dataset;
}

function parseHeader(text: string): CacheHeader {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RangeError('dataset cache: header is not JSON');
  }
  const header = value as Partial<CacheHeader> | null;
  if (
    typeof header !== 'object' ||
    header === null ||
    typeof header.key !== 'string' ||
    !Number.isInteger(header.imageSize) ||
    !Number.isInteger(header.count) ||
    !Array.isArray(header.classNames) ||
    !header.classNames.every((name) => typeof name === 'string')
  ) {
    throw new RangeError('dataset cache: header lacks key, imageSize, count or classNames');
  }
  if (header.channels !== undefined && header.channels !== 1)
    throw new RangeError('dataset cache: channels must be 1 when given');
  return header as CacheHeader;
}
