/**
 * Where zip entries' bytes lie in the archive, read from its central directory: the one walk of it in this
 * reader, for what fflate does not give (it says neither where an entry's data starts nor lets it stay in place).
 *
 * - Stored (uncompressed) entries become views of the archive's own bytes. fflate's unzipSync copies every entry
 *   it extracts; PyTorch stores its tensors uncompressed, so for a 30 MB checkpoint that copy is a second 30 MB
 *   that nothing needs.
 * - Deflated entries are inflated by zip-inflate.ts from where their data starts, stopping at the declared size.
 *
 * It runs after fflate has read the same archive (zip-reader.ts's extractEntries checks every name, the entry
 * count and the sizes) and checks every offset it uses against the file. An entry it cannot place (a name that
 * decodes differently, any inconsistency) is left out: the caller extracts a stored one with fflate, which then
 * reports what is wrong with it, and refuses a deflated one.
 */

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const ZIP64_END_LOCATOR = 0x07064b50;
const ZIP64_END_OF_CENTRAL_DIRECTORY = 0x06064b50;
const CENTRAL_RECORD = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
const ZIP64_EXTRA_FIELD = 0x0001;
const CENTRAL_RECORD_BYTES = 46;
const LOCAL_HEADER_BYTES = 30;
const EXTENDED = 0xffffffff;
const UTF8_NAME_FLAG = 0x800;
const STORED = 0;

/** Where one entry's data lies, as its central directory record and local header say. */
export interface EntryLocation {
  /** 0 stored, 8 deflated … */
  readonly compression: number;
  /** Bytes in the archive. */
  readonly size: number;
  /** Bytes once extracted. */
  readonly originalSize: number;
  /** Where the entry's data starts, after its local header. */
  readonly dataStart: number;
}

/**
 * The locations of those `wanted` entries whose records are whole and whose local header is where the record says,
 * in one walk of the central directory. A later record of the same name wins, as in fflate.
 */
export function locateEntries(bytes: Uint8Array, wanted: ReadonlySet<string>): Map<string, EntryLocation> {
  const found = new Map<string, EntryLocation>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const directory = centralDirectory(view);
  if (directory === undefined) return found;
  let at = directory.offset;
  for (let i = 0; i < directory.entries; i++) {
    if (at + CENTRAL_RECORD_BYTES > view.byteLength || view.getUint32(at, true) !== CENTRAL_RECORD) return found;
    const flags = view.getUint16(at + 8, true);
    const compression = view.getUint16(at + 10, true);
    let size = view.getUint32(at + 20, true);
    let originalSize = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    let localHeader = view.getUint32(at + 42, true);
    const nameStart = at + CENTRAL_RECORD_BYTES;
    const next = nameStart + nameLength + extraLength + commentLength;
    if (next > view.byteLength) return found;
    const name = decodeName(bytes.subarray(nameStart, nameStart + nameLength), (flags & UTF8_NAME_FLAG) !== 0);
    at = next;
    if (!wanted.has(name)) continue;
    found.delete(name);
    if (size === EXTENDED || originalSize === EXTENDED || localHeader === EXTENDED) {
      const extended = zip64Values(view, nameStart + nameLength, extraLength, { originalSize, size, localHeader });
      if (extended === undefined) continue;
      ({ originalSize, size, localHeader } = extended);
    }
    const dataStart = dataStartAfter(view, localHeader);
    if (dataStart !== undefined) found.set(name, { compression, size, originalSize, dataStart });
  }
  return found;
}

/** Views on `bytes` of those `wanted` entries that are stored and lie wholly inside the file. */
export function storedEntriesInPlace(bytes: Uint8Array, wanted: ReadonlySet<string>): Map<string, Uint8Array> {
  const found = new Map<string, Uint8Array>();
  for (const [name, { compression, size, originalSize, dataStart }] of locateEntries(bytes, wanted)) {
    if (compression === STORED && size === originalSize && dataStart + size <= bytes.length) {
      found.set(name, bytes.subarray(dataStart, dataStart + size));
    }
  }
  return found;
}

/** The entry count and the central directory's offset, from the end record (ZIP64's when there is one). */
function centralDirectory(view: DataView): { entries: number; offset: number } | undefined {
  const lowest = Math.max(0, view.byteLength - 22 - 0xffff);
  let end = view.byteLength - 22;
  while (end >= lowest && view.getUint32(end, true) !== END_OF_CENTRAL_DIRECTORY) end--;
  if (end < lowest) return undefined;
  let entries = view.getUint16(end + 8, true);
  let offset = view.getUint32(end + 16, true);
  if (end >= 20 && view.getUint32(end - 20, true) === ZIP64_END_LOCATOR) {
    const zip64End = safeUint64(view, end - 12);
    if (
      zip64End !== undefined &&
      zip64End + 56 <= view.byteLength &&
      view.getUint32(zip64End, true) === ZIP64_END_OF_CENTRAL_DIRECTORY
    ) {
      const count = safeUint64(view, zip64End + 32);
      const start = safeUint64(view, zip64End + 48);
      if (count === undefined || start === undefined) return undefined;
      entries = count;
      offset = start;
    }
  }
  // Every record takes at least 46 bytes: a count the file cannot hold is a forged one.
  if (offset > view.byteLength || entries * CENTRAL_RECORD_BYTES > view.byteLength - offset) return undefined;
  return { entries, offset };
}

/** ZIP64's extra field holds, in this order, each of the three values whose 32-bit field is 0xffffffff. */
function zip64Values(
  view: DataView,
  extraStart: number,
  extraLength: number,
  values: { originalSize: number; size: number; localHeader: number },
): { originalSize: number; size: number; localHeader: number } | undefined {
  for (let at = extraStart; at + 4 <= extraStart + extraLength;) {
    const id = view.getUint16(at, true);
    const length = view.getUint16(at + 2, true);
    if (id === ZIP64_EXTRA_FIELD) {
      const result = { ...values };
      let field = at + 4;
      for (const key of ['originalSize', 'size', 'localHeader'] as const) {
        if (values[key] !== EXTENDED) continue;
        if (field + 8 > at + 4 + length) return undefined;
        const value = safeUint64(view, field);
        if (value === undefined) return undefined;
        result[key] = value;
        field += 8;
      }
      return result;
    }
    at += 4 + length;
  }
  return undefined;
}

/** Where an entry's data starts: after its local header, whose name and extra field lengths may differ from the central record's. */
function dataStartAfter(view: DataView, localHeader: number): number | undefined {
  if (localHeader + LOCAL_HEADER_BYTES > view.byteLength || view.getUint32(localHeader, true) !== LOCAL_HEADER)
    return undefined;
  return (
    localHeader + LOCAL_HEADER_BYTES + view.getUint16(localHeader + 26, true) + view.getUint16(localHeader + 28, true)
  );
}

function safeUint64(view: DataView, at: number): number | undefined {
  if (at < 0 || at + 8 > view.byteLength) return undefined;
  const value = view.getUint32(at, true) + 2 ** 32 * view.getUint32(at + 4, true);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** As fflate decodes names: UTF-8 when the entry's flag says so, else one byte per character (Latin-1). */
function decodeName(bytes: Uint8Array, utf8: boolean): string {
  if (utf8) return new TextDecoder().decode(bytes);
  let name = '';
  for (const byte of bytes) name += String.fromCharCode(byte);
  return name;
}
