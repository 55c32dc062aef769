import { Inflate } from 'fflate';
import { CheckpointError, quote } from './errors.js';

/**
 * Inflating a deflated zip entry without trusting its header. fflate's
 * unzipSync inflates into a buffer of the size the central directory
 * declares and, when the stream holds more, silently drops the excess while
 * still decoding all of it: a 48 KB entry declaring 100 bytes decoded 50 MB
 * (deflate reaches 1032:1, so CPU time grows a thousandfold over the file).
 * Here the stream is fed in small chunks and stopped as soon as it passes the
 * declared size, and a stream that ends short of it is refused too.
 *
 * fflate does not say where an entry's data starts, so this file reads that
 * much of the zip structure itself: the central directory record (ZIP64
 * included) for the local header's offset, and the local header's length.
 */

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_END = 0x06064b50;
const CENTRAL_RECORD = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
const ZIP64_EXTRA = 0x0001;
/** Compressed bytes fed per step: at most ~1032 × this comes out before the size check. */
const CHUNK = 4 * 1024;

function malformed(what: string): never {
  throw new CheckpointError('malformed-zip', `malformed zip archive: ${what}`);
}

/** Where the data of entry `name` starts, from its central directory record and local header. */
export function entryDataOffset(bytes: Uint8Array, name: string): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number): number =>
    at + 2 <= bytes.length ? view.getUint16(at, true) : malformed('a record runs past the end of the file');
  const u32 = (at: number): number =>
    at + 4 <= bytes.length ? view.getUint32(at, true) : malformed('a record runs past the end of the file');
  const u64 = (at: number): number => u32(at) + 2 ** 32 * u32(at + 4);

  let end = bytes.length - 22;
  while (end >= 0 && end >= bytes.length - 22 - 0xffff && u32(end) !== END_OF_CENTRAL_DIRECTORY) end--;
  if (end < 0 || end < bytes.length - 22 - 0xffff) malformed('no end-of-central-directory record');
  let count = u16(end + 10);
  let at = u32(end + 16);
  if (end >= 20 && u32(end - 20) === ZIP64_LOCATOR) {
    const zip64End = u64(end - 12);
    if (u32(zip64End) === ZIP64_END) {
      count = u64(zip64End + 32);
      at = u64(zip64End + 48);
    }
  }
  const wanted = new TextEncoder().encode(name);
  for (let index = 0; index < count; index++) {
    if (u32(at) !== CENTRAL_RECORD) malformed('a central directory record has a wrong signature');
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    const commentLength = u16(at + 32);
    const nameBytes = bytes.subarray(at + 46, at + 46 + nameLength);
    if (nameBytes.length === wanted.length && nameBytes.every((byte, i) => byte === wanted[i])) {
      let offset = u32(at + 42);
      if (offset === 0xffffffff) offset = zip64Offset(bytes, at, nameLength, extraLength, u16, u64);
      if (u32(offset) !== LOCAL_HEADER) malformed(`entry ${quote(name)} has no local header at byte ${offset}`);
      return offset + 30 + u16(offset + 26) + u16(offset + 28);
    }
    at += 46 + nameLength + extraLength + commentLength;
  }
  return malformed(`entry ${quote(name)} is not in the central directory`);
}

/** The local header offset from a record's ZIP64 extra field: after the sizes that are 0xffffffff. */
function zip64Offset(
  bytes: Uint8Array,
  record: number,
  nameLength: number,
  extraLength: number,
  u16: (at: number) => number,
  u64: (at: number) => number,
): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let field = record + 46 + nameLength;
  const end = field + extraLength;
  while (field + 4 <= end) {
    const id = u16(field);
    const size = u16(field + 2);
    if (id === ZIP64_EXTRA) {
      let at = field + 4;
      if (view.getUint32(record + 24, true) === 0xffffffff) at += 8;
      if (view.getUint32(record + 20, true) === 0xffffffff) at += 8;
      return u64(at);
    }
    field += 4 + size;
  }
  return malformed('a ZIP64 entry has no ZIP64 extra field');
}

/**
 * Inflates `compressed` into exactly `declaredSize` bytes, stopping as soon as
 * the stream would produce more.
 */
export function inflateExactly(compressed: Uint8Array, declaredSize: number, name: string): Uint8Array {
  const out = new Uint8Array(declaredSize);
  let produced = 0;
  let finished = false;
  const inflate = new Inflate((chunk, final) => {
    if (produced + chunk.length > declaredSize) {
      throw new CheckpointError(
        'malformed-zip',
        `malformed zip archive: entry ${quote(name)} inflates past the ${declaredSize} bytes its header declares`,
      );
    }
    out.set(chunk, produced);
    produced += chunk.length;
    if (final) finished = true;
  });
  try {
    for (let at = 0; at < compressed.length && !finished; at += CHUNK) {
      const end = Math.min(compressed.length, at + CHUNK);
      inflate.push(compressed.subarray(at, end), end === compressed.length);
    }
  } catch (error) {
    if (error instanceof CheckpointError) throw error;
    malformed(`entry ${quote(name)}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!finished || produced !== declaredSize) {
    malformed(`entry ${quote(name)} inflates to ${produced} bytes but its header declares ${declaredSize}`);
  }
  return out;
}
