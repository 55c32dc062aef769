/**
 * Hand-made checkpoints for tests: a small pickle (protocol 2) writer and the
 * two containers around it. Byte-exact control is the point: each bad-input
 * test needs one precise defect, and the fuzz test needs small seeds.
 */
import { zipSync } from 'fflate';

export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | readonly PickleValue[] // a tuple
  | ReadonlyMap<PickleValue, PickleValue> // a dict
  | { readonly list: readonly PickleValue[] }
  | { readonly float: number }
  | { readonly global: readonly [string, string] }
  | { readonly call: PickleValue; readonly args: readonly PickleValue[] }
  | { readonly persistentId: PickleValue }
  | { readonly orderedDict: ReadonlyArray<readonly [PickleValue, PickleValue]> }
  | { readonly raw: readonly number[] };

const encoder = new TextEncoder();

export function pickle(value: PickleValue): Uint8Array {
  const out: number[] = [0x80, 0x02];
  write(value, out);
  out.push(0x2e); // STOP
  return Uint8Array.from(out);
}

function u32(value: number): number[] {
  return [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
}

function write(value: PickleValue, out: number[]): void {
  if (value === null)
    out.push(0x4e); // NONE
  else if (value === true) out.push(0x88);
  else if (value === false) out.push(0x89);
  else if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) < 2 ** 31) {
    if (value >= 0 && value < 256)
      out.push(0x4b, value); // BININT1
    else if (value >= 0 && value < 65536)
      out.push(0x4d, value & 0xff, value >> 8); // BININT2
    else out.push(0x4a, ...u32(value)); // BININT
  } else if (typeof value === 'number' || typeof value === 'bigint') {
    if (typeof value === 'number' && !Number.isInteger(value)) return write({ float: value }, out);
    // LONG1: little-endian two's complement
    let rest = BigInt(value);
    const bytes: number[] = [];
    do {
      bytes.push(Number(rest & 0xffn));
      rest >>= 8n;
    } while (
      !(rest === 0n && (bytes[bytes.length - 1]! & 0x80) === 0) &&
      !(rest === -1n && (bytes[bytes.length - 1]! & 0x80) !== 0)
    );
    out.push(0x8a, bytes.length, ...bytes);
  } else if (typeof value === 'string') {
    const bytes = encoder.encode(value);
    out.push(0x58, ...u32(bytes.length), ...bytes); // BINUNICODE
  } else if (Array.isArray(value)) {
    if (value.length === 0)
      out.push(0x29); // EMPTY_TUPLE
    else {
      out.push(0x28); // MARK
      for (const item of value as readonly PickleValue[]) write(item, out);
      out.push(0x74); // TUPLE
    }
  } else if (value instanceof Map) {
    out.push(0x7d); // EMPTY_DICT
    if (value.size > 0) {
      out.push(0x28);
      for (const [key, item] of value) {
        write(key, out);
        write(item, out);
      }
      out.push(0x75); // SETITEMS
    }
  } else if (typeof value === 'object' && 'list' in value) {
    out.push(0x5d); // EMPTY_LIST
    if (value.list.length > 0) {
      out.push(0x28);
      for (const item of value.list) write(item, out);
      out.push(0x65); // APPENDS
    }
  } else if (typeof value === 'object' && 'float' in value) {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setFloat64(0, value.float, false);
    out.push(0x47, ...bytes); // BINFLOAT
  } else if (typeof value === 'object' && 'global' in value) {
    out.push(0x63, ...encoder.encode(`${value.global[0]}\n${value.global[1]}\n`)); // GLOBAL
  } else if (typeof value === 'object' && 'call' in value) {
    write(value.call, out);
    write(value.args, out);
    out.push(0x52); // REDUCE
  } else if (typeof value === 'object' && 'persistentId' in value) {
    write(value.persistentId, out);
    out.push(0x51); // BINPERSID
  } else if (typeof value === 'object' && 'orderedDict' in value) {
    write({ call: { global: ['collections', 'OrderedDict'] }, args: [] }, out);
    if (value.orderedDict.length > 0) {
      out.push(0x28);
      for (const [key, item] of value.orderedDict) {
        write(key, out);
        write(item, out);
      }
      out.push(0x75);
    }
  } else if (typeof value === 'object' && 'raw' in value) {
    out.push(...value.raw);
  }
}

export type StorageClass =
  | 'FloatStorage'
  | 'DoubleStorage'
  | 'HalfStorage'
  | 'BFloat16Storage'
  | 'LongStorage'
  | 'IntStorage'
  | 'ByteStorage'
  | 'BoolStorage'
  | 'CharStorage'
  | 'ShortStorage';

export interface StorageSpec {
  readonly key: string;
  readonly type: StorageClass;
  readonly numel: number;
  /** The storage's bytes as written to the file (may deliberately disagree with numel). */
  readonly bytes: Uint8Array;
}

/** `('storage', torch.<type>, key, 'cpu', numel)`; legacy streams add view_metadata, None or `(key, offset, size)`. */
export function storageId(storage: StorageSpec, view?: readonly [string, number, number] | null): PickleValue {
  const id: PickleValue[] = ['storage', { global: ['torch', storage.type] }, storage.key, 'cpu', storage.numel];
  if (view !== undefined) id.push(view);
  return { persistentId: id };
}

/** `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())`. */
export function tensorV2(
  storage: PickleValue,
  offset: number,
  shape: readonly number[],
  stride: readonly number[] = contiguousStride(shape),
): PickleValue {
  return {
    call: { global: ['torch._utils', '_rebuild_tensor_v2'] },
    args: [storage, offset, shape, stride, false, { orderedDict: [] }],
  };
}

/** `torch._utils._rebuild_tensor(storage, offset, size, stride)`, as torch <= 0.3 wrote it. */
export function tensorV1(
  storage: PickleValue,
  offset: number,
  shape: readonly number[],
  stride: readonly number[] = contiguousStride(shape),
): PickleValue {
  return { call: { global: ['torch._utils', '_rebuild_tensor'] }, args: [storage, offset, shape, stride] };
}

export function contiguousStride(shape: readonly number[]): number[] {
  const stride: number[] = [];
  let step = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    stride[axis] = step;
    step *= shape[axis]!;
  }
  return stride;
}

export function float32Storage(key: string, values: readonly number[]): StorageSpec {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((value, index) => view.setFloat32(index * 4, value, true));
  return { key, type: 'FloatStorage', numel: values.length, bytes };
}

export function int64Storage(key: string, values: readonly bigint[]): StorageSpec {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  values.forEach((value, index) => view.setBigInt64(index * 8, value, true));
  return { key, type: 'LongStorage', numel: values.length, bytes };
}

const LEGACY_MAGIC = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e];

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A torch 0.4–1.5 stream (torch <= 0.3 when the object uses tensorV1). */
export function legacyCheckpoint(
  object: PickleValue,
  storages: readonly StorageSpec[],
  options: { magic?: Uint8Array; keys?: readonly string[] } = {},
): Uint8Array {
  const sysInfo = new Map<PickleValue, PickleValue>([
    ['protocol_version', 1001],
    ['little_endian', true],
    [
      'type_sizes',
      new Map<PickleValue, PickleValue>([
        ['short', 2],
        ['int', 4],
        ['long', 8],
      ]),
    ],
  ]);
  const parts: Uint8Array[] = [
    options.magic ?? Uint8Array.from(LEGACY_MAGIC),
    pickle(1001),
    pickle(sysInfo),
    pickle(object),
    pickle({ list: options.keys ?? storages.map((storage) => storage.key) }),
  ];
  for (const storage of storages) {
    const count = new Uint8Array(8);
    new DataView(count.buffer).setBigInt64(0, BigInt(storage.numel), true);
    parts.push(count, storage.bytes);
  }
  return concat(parts);
}

/** A torch >= 1.6 zip: `<prefix>/data.pkl`, `<prefix>/data/<key>`, stored entries. */
export function zipCheckpoint(
  object: PickleValue | Uint8Array,
  storages: readonly StorageSpec[],
  options: { prefix?: string; byteorder?: string; extraEntries?: Record<string, Uint8Array> } = {},
): Uint8Array {
  const prefix = options.prefix ?? 'archive';
  const entries: Record<string, Uint8Array> = {
    [`${prefix}/data.pkl`]: object instanceof Uint8Array ? object : pickle(object),
  };
  if (options.byteorder !== undefined) entries[`${prefix}/byteorder`] = encoder.encode(options.byteorder);
  for (const storage of storages) entries[`${prefix}/data/${storage.key}`] = storage.bytes;
  entries[`${prefix}/version`] = encoder.encode('3\n');
  Object.assign(entries, options.extraEntries);
  return zipSync(entries, { level: 0 });
}

/** A value's opcodes without PROTO and STOP, to splice into a hand-assembled pickle. */
export function opcodes(value: PickleValue): number[] {
  return [...pickle(value).subarray(2, -1)];
}

/** PROTO 2, the given opcodes, STOP. */
export function rawPickle(...parts: ReadonlyArray<readonly number[]>): Uint8Array {
  return Uint8Array.from([0x80, 0x02, ...parts.flat(), 0x2e]);
}

/** `bytes` copied into the middle of a larger buffer filled with `canary`: a view as a server slicing an upload would pass it. */
export function sliceOfLargerBuffer(bytes: Uint8Array, canary = 0xa5, margin = 4096): Uint8Array {
  const backing = new Uint8Array(bytes.length + 2 * margin).fill(canary);
  backing.set(bytes, margin);
  return backing.subarray(margin, margin + bytes.length);
}
