import { startsWith, type ContainerReader } from './container.js';
import { ITEM_SIZE } from './dtypes.js';
import { CheckpointError, quote } from './errors.js';
import { plainDataResolvers, torchResolvers, type TorchUnpickleState } from './pickle/torch-globals.js';
import { unpickle } from './pickle/unpickle.js';
import { describeValue } from './torch-objects.js';

/**
 * The stream torch.save wrote before the zip format (torch <= 1.5), five
 * pickles and the raw storages back to back:
 *   magic number 0x1950a86a20f9469cfc6c, protocol version 1001, sys_info,
 *   the object (tensors as persistent ids), the list of storage keys,
 *   then per listed key: int64 element count + the elements' bytes.
 * torch <= 0.3 wrote the same stream; only its tensors are rebuilt with
 * `_rebuild_tensor` instead of `_rebuild_tensor_v2` (the 'legacy-v1' format).
 */

export const LEGACY_MAGIC_NUMBER = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL_VERSION = 1001;

const PICKLE_PROTO = 0x80;
const PICKLE_LONG1 = 0x8a;
const PICKLE_STOP = 0x2e;
/** The magic number as pickle protocol 2 writes it: LONG1, 10 bytes, little-endian. */
const MAGIC_PICKLE_BODY = [PICKLE_LONG1, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, PICKLE_STOP];
const MAGIC_HEX = `0x${LEGACY_MAGIC_NUMBER.toString(16)}`;

export const readLegacyCheckpoint: ContainerReader = (bytes) => {
  // torch.save always pickled with protocol 2, whose first opcode is PROTO.
  if (bytes[0] !== PICKLE_PROTO) return undefined;
  const protocol = bytes[1] ?? 0;
  if (protocol < 2 || protocol > 5 || !startsWith(bytes, MAGIC_PICKLE_BODY, 2)) {
    throw new CheckpointError(
      'wrong-magic',
      `wrong magic number in legacy checkpoint: expected ${MAGIC_HEX}, got ${describeFirstObject(bytes)}`,
    );
  }
  let position = 2 + MAGIC_PICKLE_BODY.length;

  const version = unpickle(
    { bytes, start: position, where: 'the protocol version pickle' },
    plainDataResolvers('the protocol version pickle'),
  );
  if (version.value !== LEGACY_PROTOCOL_VERSION) {
    throw new CheckpointError(
      'unsupported-format',
      `unsupported legacy checkpoint protocol version ${typeof version.value === 'number' ? version.value : describeValue(version.value)}: expected ${LEGACY_PROTOCOL_VERSION}`,
    );
  }
  // sys_info (endianness, C type sizes) is read only to step over it, as torch.load does:
  // torch wrote storages little-endian whatever the machine.
  const sysInfo = unpickle(
    { bytes, start: version.end, where: 'the sys_info pickle' },
    plainDataResolvers('the sys_info pickle'),
  );

  const state: TorchUnpickleState = { where: 'the object pickle', storages: new Map(), usedRebuildTensorV1: false };
  const object = unpickle({ bytes, start: sysInfo.end, where: 'the object pickle' }, torchResolvers(state));

  const keyList = unpickle(
    { bytes, start: object.end, where: 'the storage key list' },
    plainDataResolvers('the storage key list'),
  );
  const keys = keyList.value;
  if (!Array.isArray(keys) || !keys.every((key): key is string => typeof key === 'string')) {
    throw new CheckpointError(
      'bad-persistent-id',
      `malformed storage key list: expected a list of strings, got ${describeValue(keys)}`,
    );
  }

  const storageBytes = new Map<string, Uint8Array>();
  position = keyList.end;
  for (const key of keys) {
    const declared = state.storages.get(key);
    if (declared === undefined) {
      throw new CheckpointError(
        'bad-persistent-id',
        `storage ${quote(key)} is in the storage key list but no persistent id declares it`,
      );
    }
    if (storageBytes.has(key)) {
      throw new CheckpointError('bad-persistent-id', `storage ${quote(key)} is listed twice in the storage key list`);
    }
    const byteLength = declared.numel * ITEM_SIZE[declared.dtype];
    const remaining = bytes.length - position;
    if (remaining < 8) {
      throw new CheckpointError(
        'truncated',
        `checkpoint is truncated: storage ${quote(key)} needs ${8 + byteLength} bytes but only ${remaining} remain`,
      );
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset + position, 8);
    const count = view.getUint32(0, true) + 2 ** 32 * view.getUint32(4, true);
    if (count !== declared.numel) {
      throw new CheckpointError(
        'bad-persistent-id',
        `storage ${quote(key)} has ${count} elements in the file but its persistent id says ${declared.numel}`,
      );
    }
    position += 8;
    if (bytes.length - position < byteLength) {
      throw new CheckpointError(
        'truncated',
        `checkpoint is truncated: storage ${quote(key)} needs ${byteLength} bytes but only ${bytes.length - position} remain`,
      );
    }
    storageBytes.set(key, bytes.subarray(position, position + byteLength));
    position += byteLength;
  }

  return {
    format: state.usedRebuildTensorV1 ? 'legacy-v1' : 'legacy',
    root: object.value,
    littleEndian: true,
    loadStorages(wanted) {
      const loaded = new Map<string, Uint8Array>();
      for (const key of wanted) {
        const data = storageBytes.get(key);
        if (data === undefined) {
          throw new CheckpointError(
            'missing-entry',
            `checkpoint is missing storage ${quote(key)}: the storage key list does not name it`,
          );
        }
        loaded.set(key, data);
      }
      return loaded;
    },
  };
};

/** What a pickle stream that is not ours starts with, for the wrong-magic message. */
function describeFirstObject(bytes: Uint8Array): string {
  // A LONG1 number is what the magic should be; show it in hex like the magic.
  if (bytes[2] === PICKLE_LONG1) {
    const length = bytes[3] ?? 0;
    if (bytes[4 + length] === PICKLE_STOP) {
      let value = 0n;
      for (let index = length - 1; index >= 0; index--) value = (value << 8n) | BigInt(bytes[4 + index] ?? 0);
      return `0x${value.toString(16)}`;
    }
  }
  try {
    const { value } = unpickle({ bytes, start: 0, where: 'the first pickle' }, plainDataResolvers('the first pickle'));
    return typeof value === 'number' ? `0x${value.toString(16)}` : describeValue(value);
  } catch {
    return 'a pickle that cannot be read as plain data';
  }
}
