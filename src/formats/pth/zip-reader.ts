import { startsWith, type ContainerReader, type UnpickledCheckpoint } from './container.js';
import { ITEM_SIZE } from './dtypes.js';
import { CheckpointError, quote } from './errors.js';
import { torchResolvers, type TorchUnpickleState } from './pickle/torch-globals.js';
import { unpickle } from './pickle/unpickle.js';
import { readZipDirectory, readZipEntry } from './zip-archive.js';

/**
 * The zip format of torch >= 1.6: `<prefix>/data.pkl`, `<prefix>/data/<key>`
 * for each storage, optionally `<prefix>/byteorder` and `<prefix>/version`.
 * The prefix is the archive's top folder: the file stem in torch 1.x,
 * 'archive' in newer torch.
 *
 * The archive is read by zip-archive.ts, the one zip reader: its central
 * directory is walked once, here, and shared by data.pkl and the storages.
 */

const LOCAL_FILE_HEADER = [0x50, 0x4b, 0x03, 0x04];

export const readZipCheckpoint: ContainerReader = (bytes) => {
  if (!startsWith(bytes, LOCAL_FILE_HEADER)) return undefined;

  const directory = new Map(readZipDirectory(bytes).map((entry) => [entry.name, entry]));
  const names = [...directory.keys()];
  const read = (name: string): Uint8Array | undefined => {
    const entry = directory.get(name);
    return entry === undefined ? undefined : readZipEntry(bytes, entry);
  };

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
  const pickleBytes = pickleName === undefined ? undefined : read(pickleName);
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
    littleEndian: readByteOrder(read(`${prefix}byteorder`), `${prefix}byteorder`),
    loadStorages(keys) {
      const loaded = new Map<string, Uint8Array>();
      for (const key of keys) {
        const entry = `${prefix}data/${key}`;
        // Stored entries (all of PyTorch's) are views of the file: the weights are not copied.
        const data = read(entry);
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
