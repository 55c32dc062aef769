import { unzipSync, type UnzipFileInfo } from 'fflate';
import { startsWith, type ContainerReader, type UnpickledCheckpoint } from './container.js';
import { ITEM_SIZE } from './dtypes.js';
import { CheckpointError, excerpt, quote } from './errors.js';
import { torchResolvers, type TorchUnpickleState } from './pickle/torch-globals.js';
import { unpickle } from './pickle/unpickle.js';
import { inflateExactly } from './zip-inflate.js';
import { locateEntries, storedEntriesInPlace } from './zip-in-place.js';

/**
 * The zip format of torch >= 1.6: `<prefix>/data.pkl`, `<prefix>/data/<key>`
 * for each storage, optionally `<prefix>/byteorder` and `<prefix>/version`.
 * The prefix is the archive's top folder: the file stem in torch 1.x,
 * 'archive' in newer torch.
 *
 * Zip parsing is fflate's. Not jszip, which the project brief named: PyTorch
 * always writes a ZIP64 end record, and jszip 3.10.2 fails on every torch file
 * with "Corrupted zip or bug: expected 4 records in central dir, got 0"
 * (checked on files written by torch 1.13). fflate reads them, runs in
 * browsers, and can extract entries selectively.
 */

const LOCAL_FILE_HEADER = [0x50, 0x4b, 0x03, 0x04];
const END_OF_CENTRAL_DIRECTORY = [0x50, 0x4b, 0x05, 0x06];
/** The fixed part of a central directory record; no entry takes fewer bytes. */
const CENTRAL_RECORD_BYTES = 46;
/** Deflated entries (PyTorch stores, but a re-zipped file may deflate) may not inflate, all together, past this many times the file. */
const MAX_INFLATION = 8;
const STORED = 0;
const DEFLATED = 8;

export const readZipCheckpoint: ContainerReader = (bytes) => {
  if (!startsWith(bytes, LOCAL_FILE_HEADER)) return undefined;

  const names: string[] = [];
  // Budgets shared by both extractions: deflated entries may declare 8 × the file, stored ones the file itself.
  const inflation = { remaining: MAX_INFLATION * bytes.length, stored: bytes.length };
  const records = extractEntries(bytes, inflation, (name) => {
    names.push(name);
    return /^[^/]+\/(data\.pkl|byteorder)$/.test(name);
  });

  const pickles = names.filter((name) => /^[^/]+\/data\.pkl$/.test(name));
  if (pickles.length > 1) {
    throw new CheckpointError(
      'malformed-zip',
      `zip archive holds more than one checkpoint: ${pickles
        .slice(0, 3)
        .map((n) => quote(n))
        .join(', ')}`,
    );
  }
  const pickleName = pickles[0];
  const pickleBytes = pickleName === undefined ? undefined : records.get(pickleName);
  if (pickleName === undefined || pickleBytes === undefined) {
    const top = names.find((name) => name.includes('/'))?.split('/')[0] ?? 'archive';
    const found =
      names
        .slice(0, 3)
        .map((n) => quote(n))
        .join(', ') + (names.length > 3 ? ', …' : '');
    throw new CheckpointError(
      'missing-entry',
      `not a PyTorch checkpoint: the zip archive has no '${top}/data.pkl' entry (found ${found || 'no entries'})`,
    );
  }
  const prefix = pickleName.slice(0, -'data.pkl'.length);

  const state: TorchUnpickleState = { where: 'data.pkl', storages: new Map(), usedRebuildTensorV1: false };
  const { value: root } = unpickle({ bytes: pickleBytes, start: 0, where: 'data.pkl' }, torchResolvers(state));

  const checkpoint: UnpickledCheckpoint = {
    format: 'zip',
    root,
    littleEndian: readByteOrder(records.get(`${prefix}byteorder`), `${prefix}byteorder`),
    loadStorages(keys) {
      const entryOf = (key: string): string => `${prefix}data/${key}`;
      const wanted = new Set(Array.from(keys, entryOf));
      // Stored entries (all of PyTorch's) are used in place; fflate extracts (copies) whatever is left.
      const found = storedEntriesInPlace(bytes, wanted);
      const rest = new Set([...wanted].filter((name) => !found.has(name)));
      if (rest.size > 0)
        for (const [name, data] of extractEntries(bytes, inflation, (name) => rest.has(name))) found.set(name, data);
      const loaded = new Map<string, Uint8Array>();
      for (const key of keys) {
        const entry = entryOf(key);
        const data = found.get(entry);
        if (data === undefined) {
          throw new CheckpointError(
            'missing-entry',
            `checkpoint is missing storage ${quote(key)}: no entry ${quote(entry)}`,
          );
        }
        const declared = state.storages.get(key);
        const needed = declared === undefined ? 0 : declared.numel * ITEM_SIZE[declared.dtype];
        if (data.length < needed) {
          throw new CheckpointError(
            'truncated',
            `checkpoint is truncated: storage ${quote(key)} needs ${needed} bytes but entry ${quote(entry)} holds ${data.length}`,
          );
        }
        loaded.set(key, data);
      }
      return loaded;
    },
  };
  return checkpoint;
};

function readByteOrder(record: Uint8Array | undefined, name: string): boolean {
  if (record === undefined) return true; // torch < 1.10 wrote no byteorder record, and only little-endian
  const text = new TextDecoder().decode(record).trim();
  if (text === 'little') return true;
  if (text === 'big') return false;
  throw new CheckpointError(
    'malformed-zip',
    `unknown byte order ${quote(text, 20)} in ${quote(name)}: expected 'little' or 'big'`,
  );
}

/** `..` segments or an absolute path: names no archive of ours has reason to use. */
function isUnsafeEntryName(name: string): boolean {
  if (/^([/\\]|[A-Za-z]:)/.test(name)) return true;
  return name.split(/[/\\]/).includes('..');
}

/**
 * fflate's unzipSync, with what it leaves to the caller:
 * - every entry name is checked, wanted or not;
 * - it trusts the entry count of the end record (up to 2^32) and reads past
 *   the end as zeros, so a forged count would loop for hours: stop once the
 *   records seen could not fit in the file;
 * - it allocates what a deflated entry's header claims, and when the stream
 *   holds more it drops the rest but decodes all of it: deflated entries are
 *   inflated here instead (zip-inflate.ts), stopping at the declared size, and
 *   their declared sizes share one budget of MAX_INFLATION × the file;
 * - it copies stored entries with a clamped slice: a short copy means the file
 *   was cut, and together they may not copy more than the file holds;
 * - its own errors become CheckpointErrors.
 */
function extractEntries(
  bytes: Uint8Array,
  inflation: { remaining: number; stored: number },
  want: (name: string, info: UnzipFileInfo) => boolean,
): Map<string, Uint8Array> {
  const claimed = new Map<string, UnzipFileInfo>();
  const deflated = new Map<string, UnzipFileInfo>();
  let recordBytes = 0;
  const filter = (info: UnzipFileInfo): boolean => {
    const { name } = info;
    recordBytes += CENTRAL_RECORD_BYTES + name.length;
    if (recordBytes > bytes.length) {
      throw new CheckpointError(
        'malformed-zip',
        'malformed zip archive: its central directory lists more entries than the file can hold',
      );
    }
    if (name === '') throw new CheckpointError('malformed-zip', 'malformed zip archive: an entry has an empty name');
    // Control characters (NUL …) are what a misread central directory yields, not what any zip tool names a file.
    if (/[\u0000-\u001f]/.test(name))
      throw new CheckpointError(
        'malformed-zip',
        `malformed zip archive: entry name ${quote(name)} has control characters`,
      );
    if (isUnsafeEntryName(name)) throw new CheckpointError('unsafe-entry-name', `unsafe zip entry name ${quote(name)}`);
    if (!want(name, info)) return false;
    if (info.compression === STORED) {
      if (info.size !== info.originalSize) {
        throw new CheckpointError(
          'malformed-zip',
          `malformed zip archive: stored entry ${quote(name)} has size ${info.size} but original size ${info.originalSize}`,
        );
      }
      // fflate copies each stored entry out; entries that do not overlap cannot add up to more than the file.
      // Overlapping ones (many central records on one local entry) would be copied out once each.
      if (info.size > inflation.stored) {
        throw new CheckpointError(
          'malformed-zip',
          `malformed zip archive: stored entry ${quote(name)} would make the stored entries add up to more than the ${bytes.length} bytes of the file: entries overlap`,
        );
      }
      inflation.stored -= info.size;
    } else if (info.compression === DEFLATED) {
      if (info.originalSize > inflation.remaining) {
        throw new CheckpointError(
          'too-large',
          `zip entry ${quote(name)} claims to inflate to ${info.originalSize} bytes, past the limit of ${MAX_INFLATION} × the file size for all deflated entries`,
        );
      }
      inflation.remaining -= info.originalSize;
      deflated.set(name, info);
      return false;
    } else {
      throw new CheckpointError(
        'malformed-zip',
        `zip entry ${quote(name)} uses compression method ${info.compression}: only stored and deflated entries can be read`,
      );
    }
    claimed.set(name, info);
    return true;
  };

  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, { filter });
  } catch (error) {
    if (error instanceof CheckpointError) throw error;
    if (!hasEndOfCentralDirectory(bytes)) {
      throw new CheckpointError(
        'truncated',
        'checkpoint is truncated: the zip archive has no end-of-central-directory record',
      );
    }
    const reason = excerpt(error instanceof Error ? error.message : String(error), 160);
    throw new CheckpointError('malformed-zip', `malformed zip archive: ${reason}`);
  }

  const extracted = new Map<string, Uint8Array>();
  for (const [name, info] of claimed) {
    const data = files[name];
    if (data === undefined) continue;
    if (info.compression === STORED && data.length !== info.size) {
      throw new CheckpointError(
        'truncated',
        `checkpoint is truncated: zip entry ${quote(name)} needs ${info.size} bytes but only ${data.length} remain`,
      );
    }
    extracted.set(name, data);
  }
  const locations = deflated.size === 0 ? new Map() : locateEntries(bytes, new Set(deflated.keys()));
  for (const [name, info] of deflated) {
    const start = locations.get(name)?.dataStart;
    if (start === undefined) {
      throw new CheckpointError(
        'malformed-zip',
        `malformed zip archive: entry ${quote(name)}: its central directory record or local header is damaged`,
      );
    }
    const compressed = bytes.subarray(start, start + info.size);
    if (compressed.length !== info.size) {
      throw new CheckpointError(
        'truncated',
        `checkpoint is truncated: zip entry ${quote(name)} needs ${info.size} bytes but only ${compressed.length} remain`,
      );
    }
    extracted.set(name, inflateExactly(compressed, info.originalSize, name));
  }
  return extracted;
}

/**
 * The entries of any zip that `want` accepts (it sees every entry's name and sizes), read through the guards of
 * extractEntries above: entry count bounded by the file, names checked, stored and deflated sizes budgeted. Every
 * zip nin-sdk reads goes through here (training checkpoints too): fflate's own unzipSync trusts a forged entry
 * count and loops for hours on a 144-byte file.
 *
 * @throws CheckpointError for a malformed, truncated or hostile archive.
 */
export function readZipEntries(
  bytes: Uint8Array,
  want: (name: string, info: UnzipFileInfo) => boolean,
): Map<string, Uint8Array> {
  return extractEntries(bytes, { remaining: MAX_INFLATION * bytes.length, stored: bytes.length }, want);
}

/** Whether the end record's signature is where a zip's end can be (the last 64 KiB + 22 bytes). */
function hasEndOfCentralDirectory(bytes: Uint8Array): boolean {
  const lowest = Math.max(0, bytes.length - 22 - 0xffff);
  for (let at = bytes.length - 22; at >= lowest; at--) {
    if (startsWith(bytes, END_OF_CENTRAL_DIRECTORY, at)) return true;
  }
  return false;
}
