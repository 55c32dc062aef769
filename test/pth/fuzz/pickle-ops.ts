/**
 * A pickle split into opcodes and put back together, so that the fuzzer can
 * mutate a real torch pickle one opcode at a time (delete, duplicate, swap,
 * insert, rewrite an argument) instead of one byte at a time.
 */

export interface PickleOp {
  readonly code: number;
  /** The bytes after the opcode byte. */
  readonly arg: Uint8Array;
}

const FIXED_ARGUMENT: Readonly<Record<number, number>> = {
  0x80: 1, // PROTO
  0x95: 8, // FRAME
  0x71: 1, // BINPUT
  0x72: 4, // LONG_BINPUT
  0x68: 1, // BINGET
  0x6a: 4, // LONG_BINGET
  0x4a: 4, // BININT
  0x4b: 1, // BININT1
  0x4d: 2, // BININT2
  0x47: 8, // BINFLOAT
};

/** Opcodes followed by a length of `size` bytes (little-endian) and that many bytes. */
const SIZED_ARGUMENT: Readonly<Record<number, 1 | 4 | 8>> = {
  0x8a: 1, // LONG1
  0x8b: 4, // LONG4
  0x58: 4, // BINUNICODE
  0x8c: 1, // SHORT_BINUNICODE
  0x8d: 8, // BINUNICODE8
  0x54: 4, // BINSTRING
  0x55: 1, // SHORT_BINSTRING
  0x42: 4, // BINBYTES
  0x43: 1, // SHORT_BINBYTES
  0x8e: 8, // BINBYTES8
};

const GLOBAL = 0x63;
const STOP = 0x2e;

/** Splits the pickle starting at `start` up to and including its STOP; undefined if it is not well-formed. */
export function tokenize(bytes: Uint8Array, start = 0): { ops: PickleOp[]; end: number } | undefined {
  const ops: PickleOp[] = [];
  let at = start;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  while (at < bytes.length) {
    const code = bytes[at]!;
    let length = 0;
    if (code in FIXED_ARGUMENT) length = FIXED_ARGUMENT[code]!;
    else if (code in SIZED_ARGUMENT) {
      const size = SIZED_ARGUMENT[code]!;
      if (at + 1 + size > bytes.length) return undefined;
      const count =
        size === 1
          ? bytes[at + 1]!
          : size === 4
            ? view.getUint32(at + 1, true)
            : Number(view.getBigUint64(at + 1, true));
      length = size + count;
    } else if (code === GLOBAL) {
      const first = bytes.indexOf(0x0a, at + 1);
      const second = first < 0 ? -1 : bytes.indexOf(0x0a, first + 1);
      if (second < 0) return undefined;
      length = second - at;
    }
    if (at + 1 + length > bytes.length) return undefined;
    ops.push({ code, arg: bytes.subarray(at + 1, at + 1 + length) });
    at += 1 + length;
    if (code === STOP) return { ops, end: at };
  }
  return undefined;
}

export function assemble(ops: readonly PickleOp[]): Uint8Array {
  const out = new Uint8Array(ops.reduce((sum, op) => sum + 1 + op.arg.length, 0));
  let at = 0;
  for (const op of ops) {
    out[at] = op.code;
    out.set(op.arg, at + 1);
    at += 1 + op.arg.length;
  }
  return out;
}

export function op(code: number, ...arg: number[]): PickleOp {
  return { code, arg: Uint8Array.from(arg) };
}

function u32(value: number): number[] {
  return [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
}

export function stringOp(text: string): PickleOp {
  const bytes = new TextEncoder().encode(text);
  return { code: 0x58, arg: Uint8Array.from([...u32(bytes.length), ...bytes]) };
}

export function globalOp(module: string, name: string): PickleOp {
  return { code: GLOBAL, arg: new TextEncoder().encode(`${module}\n${name}\n`) };
}

/** An integer as torch would write it: BININT1/BININT2/BININT, else LONG1 (two's complement). */
export function intOp(value: bigint): PickleOp {
  if (value >= 0n && value < 256n) return op(0x4b, Number(value));
  if (value >= 0n && value < 65536n) return op(0x4d, Number(value & 0xffn), Number(value >> 8n));
  if (value >= -(2n ** 31n) && value < 2n ** 31n) return op(0x4a, ...u32(Number(BigInt.asUintN(32, value))));
  const bytes: number[] = [];
  let rest = value;
  do {
    bytes.push(Number(rest & 0xffn));
    rest >>= 8n;
  } while (
    !(rest === 0n && (bytes[bytes.length - 1]! & 0x80) === 0) &&
    !(rest === -1n && (bytes[bytes.length - 1]! & 0x80) !== 0)
  );
  return op(0x8a, bytes.length, ...bytes);
}

/** A LONG4 of `length` bytes (0x7f each), or with a length field of `length` and no bytes when negative. */
export function long4Op(length: number): PickleOp {
  if (length < 0) return op(0x8b, ...u32(length >>> 0));
  return { code: 0x8b, arg: Uint8Array.from([...u32(length), ...new Array<number>(length).fill(0x7f)]) };
}

export const isIntOp = (candidate: PickleOp): boolean => [0x4a, 0x4b, 0x4d, 0x8a].includes(candidate.code);
export const isStringOp = (candidate: PickleOp): boolean => [0x58, 0x8c, 0x55, 0x54].includes(candidate.code);
export const isGlobalOp = (candidate: PickleOp): boolean => candidate.code === GLOBAL;
export const isPutOp = (candidate: PickleOp): boolean => candidate.code === 0x71 || candidate.code === 0x72;
