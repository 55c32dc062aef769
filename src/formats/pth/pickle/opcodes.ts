/**
 * The pickle opcodes this reader executes: those torch.save writes (protocol 2
 * by default, up to 5 when asked), and nothing that builds arbitrary objects.
 * torch.load(weights_only=True) allows much the same set (torch 1.13:
 * `_weights_only_unpickler.py`).
 */
export const OP = {
  PROTO: 0x80,
  FRAME: 0x95,
  STOP: 0x2e,
  MARK: 0x28,
  POP: 0x30,
  POP_MARK: 0x31,
  DUP: 0x32,
  BINPUT: 0x71,
  LONG_BINPUT: 0x72,
  MEMOIZE: 0x94,
  BINGET: 0x68,
  LONG_BINGET: 0x6a,
  NONE: 0x4e,
  NEWTRUE: 0x88,
  NEWFALSE: 0x89,
  BININT: 0x4a,
  BININT1: 0x4b,
  BININT2: 0x4d,
  LONG1: 0x8a,
  LONG4: 0x8b,
  BINFLOAT: 0x47,
  BINUNICODE: 0x58,
  SHORT_BINUNICODE: 0x8c,
  BINUNICODE8: 0x8d,
  BINSTRING: 0x54,
  SHORT_BINSTRING: 0x55,
  BINBYTES: 0x42,
  SHORT_BINBYTES: 0x43,
  BINBYTES8: 0x8e,
  EMPTY_TUPLE: 0x29,
  TUPLE: 0x74,
  TUPLE1: 0x85,
  TUPLE2: 0x86,
  TUPLE3: 0x87,
  EMPTY_LIST: 0x5d,
  APPEND: 0x61,
  APPENDS: 0x65,
  EMPTY_DICT: 0x7d,
  SETITEM: 0x73,
  SETITEMS: 0x75,
  GLOBAL: 0x63,
  STACK_GLOBAL: 0x93,
  REDUCE: 0x52,
  NEWOBJ: 0x81,
  BINPERSID: 0x51,
  BUILD: 0x62,
} as const;

/**
 * Opcodes of the pickle format that this reader refuses, by name, so that the
 * message says what the file tried: those that construct instances of a class
 * (INST, OBJ, NEWOBJ_EX …; NEWOBJ only calls an allowed global, as REDUCE does), extension registries, and the text forms of
 * protocol 0, which torch.save never writes.
 */
export const REFUSED_OPCODES: ReadonlyMap<number, string> = new Map([
  [0x69, 'INST'],
  [0x6f, 'OBJ'],
  [0x92, 'NEWOBJ_EX'],
  [0x82, 'EXT1'],
  [0x83, 'EXT2'],
  [0x84, 'EXT4'],
  [0x50, 'PERSID'],
  [0x49, 'INT'],
  [0x4c, 'LONG'],
  [0x46, 'FLOAT'],
  [0x53, 'STRING'],
  [0x56, 'UNICODE'],
  [0x67, 'GET'],
  [0x70, 'PUT'],
  [0x64, 'DICT'],
  [0x6c, 'LIST'],
  [0x8f, 'EMPTY_SET'],
  [0x90, 'ADDITEMS'],
  [0x91, 'FROZENSET'],
  [0x96, 'BYTEARRAY8'],
  [0x97, 'NEXT_BUFFER'],
  [0x98, 'READONLY_BUFFER'],
]);

/** Python ints in a checkpoint are sizes, counts, epochs: int64 at most (8 bytes as LONG1/LONG4). */
export const MAX_LONG_BYTES = 8;

const NAMES: ReadonlyMap<number, string> = new Map([
  ...Object.entries(OP).map(([name, code]) => [code, name] as const),
  ...[...REFUSED_OPCODES].map(([code, name]) => [code, name] as const),
]);

/** 'BINUNICODE', or '0xff' for a byte that is no opcode. */
export function opcodeName(opcode: number): string {
  return NAMES.get(opcode) ?? `0x${opcode.toString(16).padStart(2, '0')}`;
}
