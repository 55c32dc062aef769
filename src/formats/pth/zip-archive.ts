import { CheckpointError, quote } from './errors.js';
import { inflateExactly } from './zip-inflate.js';

/**
 * The one reading of a zip archive in nin-sdk: PyTorch checkpoints, training checkpoints and the start-model sniff all
 * come here. The central directory is walked once, every record checked against the file before anything is read,
 * and fflate is used only to inflate one deflated entry's bytes (zip-inflate.ts). fflate's own unzipSync was the
 * first reader, but it trusts the end record's entry count (a 144-byte file claiming 2^32 − 1 entries looped for
 * hours), allocates what a header claims, and copies every entry; a second hand-written walk then had to agree with
 * it on where entries lie. Not jszip either: PyTorch always writes a ZIP64 end record and jszip 3.10.2 then fails on
 * every torch file ("Corrupted zip or bug: expected 4 records in central dir, got 0", torch 1.13).
 *
 * What is refused, for every entry whether wanted or not:
 * - an entry count the file cannot hold (every record takes at least 46 bytes);
 * - a record or local header out of the file or without its signature, a ZIP64 field that is missing or unsafe;
 * - an empty name, control characters, `..` segments, absolute paths, and a name given twice;
 * - an entry whose data runs past the end of the file (truncated), or overlaps another entry's (the overlapping
 *   zip bomb: many records on one local entry);
 * - a stored entry whose two sizes differ; deflated entries declaring, all together, more than 8 × the file.
 * Stored entries are read in place (views of the archive, no copy: PyTorch's tensors are stored entries), deflated
 * ones inflated to exactly their declared size; any other compression method is refused when the entry is read.
 */

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const ZIP64_END_LOCATOR = 0x07064b50;
const ZIP64_END_OF_CENTRAL_DIRECTORY = 0x06064b50;
const CENTRAL_RECORD = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
const ZIP64_EXTRA_FIELD = 0x0001;
const END_RECORD_BYTES = 22;
const MAX_COMMENT_BYTES = 0xffff;
/** The fixed part of a central directory record; no entry takes fewer bytes. */
const CENTRAL_RECORD_BYTES = 46;
const LOCAL_HEADER_BYTES = 30;
const EXTENDED = 0xffffffff;
const UTF8_NAME_FLAG = 0x800;
/** Deflated entries (PyTorch stores, but a re-zipped file may deflate) may not inflate, all together, past this many times the file. */
export const MAX_INFLATION = 8;
export const STORED = 0;
export const DEFLATED = 8;

/** One entry of the central directory, checked against the file. */
export interface ZipEntry {
  readonly name: string;
  /** 0 stored, 8 deflated; others are refused when read. */
  readonly compression: number;
  /** Bytes in the archive. */
  readonly size: number;
  /** Bytes once extracted, as the central directory declares. */
  readonly originalSize: number;
  /** Where the entry's data starts, after its local header. */
  readonly dataStart: number;
}

function malformed(what: string): never {
  throw new CheckpointError('malformed-zip', `malformed zip archive: ${what}`);
}

/**
 * The entries of a zip's central directory, in its order, each checked as the file comment says.
 *
 * @throws CheckpointError for a malformed, truncated or hostile archive.
 */
export function readZipDirectory(bytes: Uint8Array): readonly ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { count, offset, end } = centralDirectory(view);
  const entries: ZipEntry[] = [];
  const names = new Set<string>();
  const localHeaders: Array<{ readonly name: string; readonly start: number; readonly end: number }> = [];
  let deflatedBudget = MAX_INFLATION * bytes.length;
  let at = offset;
  for (let index = 0; index < count; index++) {
    if (at + CENTRAL_RECORD_BYTES > end || view.getUint32(at, true) !== CENTRAL_RECORD)
      malformed(`central directory record ${index + 1} of ${count} is damaged`);
    const flags = view.getUint16(at + 8, true);
    const compression = view.getUint16(at + 10, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const nameStart = at + CENTRAL_RECORD_BYTES;
    const next = nameStart + nameLength + extraLength + commentLength;
    if (next > end) malformed(`central directory record ${index + 1} of ${count} runs past the directory`);
    const name = decodeName(bytes.subarray(nameStart, nameStart + nameLength), (flags & UTF8_NAME_FLAG) !== 0);
    checkName(name, names);
    names.add(name);

    const values = zip64Values(view, nameStart + nameLength, extraLength, {
      originalSize: view.getUint32(at + 24, true),
      size: view.getUint32(at + 20, true),
      localHeader: view.getUint32(at + 42, true),
    });
    if (values === undefined) malformed(`entry ${quote(name)}: its ZIP64 extra field is damaged`);
    const { size, originalSize, localHeader } = values;
    const dataStart = dataStartAfter(view, localHeader);
    if (dataStart === undefined)
      malformed(`entry ${quote(name)}: its central directory record or local header is damaged`);
    if (dataStart + size > bytes.length) {
      throw new CheckpointError(
        'truncated',
        `checkpoint is truncated: zip entry ${quote(name)} needs ${size} bytes but only ${Math.max(0, bytes.length - dataStart)} remain`,
      );
    }
    if (compression === STORED && size !== originalSize)
      malformed(`stored entry ${quote(name)} has size ${size} but original size ${originalSize}`);
    if (compression === DEFLATED) {
      if (originalSize > deflatedBudget) {
        throw new CheckpointError(
          'too-large',
          `zip entry ${quote(name)} claims to inflate to ${originalSize} bytes, past the limit of ${MAX_INFLATION} × the file size for all deflated entries`,
        );
      }
      deflatedBudget -= originalSize;
    }
    entries.push({ name, compression, size, originalSize, dataStart });
    localHeaders.push({ name, start: localHeader, end: dataStart + size });
    at = next;
  }
  checkNoOverlap(localHeaders, offset);
  return entries;
}

/**
 * An entry's bytes: a view of the archive for a stored entry, a new buffer of exactly the declared size for a
 * deflated one (inflation stops as soon as the stream would give more).
 */
export function readZipEntry(bytes: Uint8Array, entry: ZipEntry): Uint8Array {
  // A plain Uint8Array even when `bytes` is a Node Buffer, whose slice() would be another view, not a copy.
  const data = new Uint8Array(bytes.buffer, bytes.byteOffset + entry.dataStart, entry.size);
  if (entry.compression === STORED) return data;
  if (entry.compression === DEFLATED) return inflateExactly(data, entry.originalSize, entry.name);
  throw new CheckpointError(
    'malformed-zip',
    `zip entry ${quote(entry.name)} uses compression method ${entry.compression}: only stored and deflated entries can be read`,
  );
}

/**
 * The bytes of the entries that `want` accepts (it sees every entry, in the directory's order), read through
 * readZipDirectory's checks: stored entries as views of `bytes`, deflated ones inflated.
 *
 * @throws CheckpointError for a malformed, truncated or hostile archive.
 */
export function readZipEntries(bytes: Uint8Array, want: (entry: ZipEntry) => boolean): Map<string, Uint8Array> {
  const found = new Map<string, Uint8Array>();
  for (const entry of readZipDirectory(bytes)) if (want(entry)) found.set(entry.name, readZipEntry(bytes, entry));
  return found;
}

/** The entry count and the central directory's place, from the end record (ZIP64's when there is one). */
function centralDirectory(view: DataView): { count: number; offset: number; end: number } {
  const lowest = Math.max(0, view.byteLength - END_RECORD_BYTES - MAX_COMMENT_BYTES);
  let endRecord = view.byteLength - END_RECORD_BYTES;
  while (endRecord >= lowest && view.getUint32(endRecord, true) !== END_OF_CENTRAL_DIRECTORY) endRecord--;
  if (endRecord < lowest) {
    throw new CheckpointError(
      'truncated',
      'checkpoint is truncated: the zip archive has no end-of-central-directory record',
    );
  }
  let count = view.getUint16(endRecord + 10, true);
  let offset = view.getUint32(endRecord + 16, true);
  let end = endRecord;
  if (endRecord >= 20 && view.getUint32(endRecord - 20, true) === ZIP64_END_LOCATOR) {
    const zip64End = safeUint64(view, endRecord - 12);
    if (
      zip64End === undefined ||
      zip64End + 56 > endRecord - 20 ||
      view.getUint32(zip64End, true) !== ZIP64_END_OF_CENTRAL_DIRECTORY
    )
      malformed('its ZIP64 end record is missing or damaged');
    const zip64Count = safeUint64(view, zip64End + 32);
    const zip64Offset = safeUint64(view, zip64End + 48);
    if (zip64Count === undefined || zip64Offset === undefined) malformed('its ZIP64 end record is damaged');
    count = zip64Count;
    offset = zip64Offset;
    end = zip64End;
  }
  // Every record takes at least 46 bytes: a count the file cannot hold is a forged one, refused before any loop.
  if (offset > end || count * CENTRAL_RECORD_BYTES > end - offset)
    malformed('its central directory lists more entries than the file can hold');
  return { count, offset, end };
}

/** Names no zip tool writes for a file (empty, control characters) or that climb out of a folder; duplicates. */
function checkName(name: string, seen: ReadonlySet<string>): void {
  if (name === '') malformed('an entry has an empty name');
  // Control characters (NUL …) are what a misread central directory yields, not what any zip tool names a file.
  if (/[\u0000-\u001f]/.test(name)) malformed(`entry name ${quote(name)} has control characters`);
  if (/^([/\\]|[A-Za-z]:)/.test(name) || name.split(/[/\\]/).includes('..'))
    throw new CheckpointError('unsafe-entry-name', `unsafe zip entry name ${quote(name)}`);
  // Readers disagree on which of two same-named entries counts (first or last): refuse rather than pick one.
  if (seen.has(name)) malformed(`entry name ${quote(name)} appears twice`);
}

/** Each entry's local header and data lie apart from every other's and before the central directory. */
function checkNoOverlap(
  spans: Array<{ readonly name: string; readonly start: number; readonly end: number }>,
  directoryOffset: number,
): void {
  spans.sort((a, b) => a.start - b.start);
  for (let index = 0; index < spans.length; index++) {
    const span = spans[index]!;
    const following = spans[index + 1];
    if (following !== undefined && span.end > following.start)
      malformed(`entries ${quote(span.name)} and ${quote(following.name)} overlap`);
    if (span.end > directoryOffset) malformed(`entry ${quote(span.name)} overlaps the central directory`);
  }
}

/**
 * ZIP64's extra field holds, in this order, each of the three values whose 32-bit field is 0xffffffff. Without
 * that field the 32-bit values stand as written (as Python's zipfile and fflate read them); a field too short for
 * the values it must hold is damage.
 */
function zip64Values(
  view: DataView,
  extraStart: number,
  extraLength: number,
  values: { originalSize: number; size: number; localHeader: number },
): { originalSize: number; size: number; localHeader: number } | undefined {
  if (values.originalSize !== EXTENDED && values.size !== EXTENDED && values.localHeader !== EXTENDED) return values;
  for (let at = extraStart; at + 4 <= extraStart + extraLength;) {
    const id = view.getUint16(at, true);
    const length = view.getUint16(at + 2, true);
    if (id === ZIP64_EXTRA_FIELD) {
      const result = { ...values };
      let field = at + 4;
      for (const key of ['originalSize', 'size', 'localHeader'] as const) {
        if (values[key] !== EXTENDED) continue;
        if (field + 8 > Math.min(at + 4 + length, extraStart + extraLength)) return undefined;
        const value = safeUint64(view, field);
        if (value === undefined) return undefined;
        result[key] = value;
        field += 8;
      }
      return result;
    }
    at += 4 + length;
  }
  return values;
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

/** As zip tools decode names: UTF-8 when the entry's flag says so, else one byte per character (Latin-1). */
function decodeName(bytes: Uint8Array, utf8: boolean): string {
  if (utf8) return new TextDecoder().decode(bytes);
  let name = '';
  for (const byte of bytes) name += String.fromCharCode(byte);
  return name;
}
