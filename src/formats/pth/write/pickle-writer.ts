import { OP } from '../pickle/opcodes.js';

/**
 * A minimal pickle writer: just what a PyTorch checkpoint's `data.pkl` needs, emitted the way CPython's
 * `pickle.Pickler` does at protocol 2 (the protocol torch.save uses), so that both Python's unpickler and
 * torch.load(weights_only=True)'s restricted one read it.
 *
 * Values are described as a small tree (`PickleValue`) and serialised by `pickle()`. JavaScript numbers do not say
 * whether they are Python ints or floats, so both are explicit (`pyInt`, `pyFloat`).
 *
 * Opcodes, as defined in CPython's Lib/pickle.py (and documented in Lib/pickletools.py):
 *   PROTO       0x80 'P'  protocol version, one byte argument
 *   GLOBAL      'c'       push module.name, read as two newline-terminated lines
 *   BINPUT      'q'       memo[1-byte index] = top of stack (LONG_BINPUT 'r': 4-byte index)
 *   BINGET      'h'       push memo[1-byte index]            (LONG_BINGET 'j': 4-byte index)
 *   MARK        '('       push a mark, the start of a variable-length group
 *   EMPTY_TUPLE ')'       push ()
 *   TUPLE       't'       pop everything down to the mark into a tuple
 *   TUPLE1..3   0x85..87  pop the top 1, 2 or 3 items into a tuple (protocol 2)
 *   EMPTY_DICT  '}'       push {}
 *   SETITEMS    'u'       pop key/value pairs down to the mark and set them in the dict below the mark
 *   SETITEM     's'       pop one key and value and set them in the dict below them
 *   BININT1     'K'       push a 1-byte unsigned int; BININT2 'M': 2-byte unsigned; BININT 'J': 4-byte signed
 *   LONG1       0x8a      push an int of n bytes, little-endian two's complement (n in one byte)
 *   BINFLOAT    'G'       push a float, 8-byte big-endian IEEE 754 double
 *   BINUNICODE  'X'       push a str, 4-byte little-endian length then UTF-8 bytes
 *   NEWTRUE     0x88, NEWFALSE 0x89, NONE 'N'
 *   REDUCE      'R'       pop args tuple and callable, push callable(*args)
 *   BINPERSID   'Q'       pop a persistent id and push what the unpickler's persistent_load makes of it
 *   STOP        '.'       end of the pickle; the top of the stack is the result
 */

/** Python's pickler writes dict items in SETITEMS batches of this many (pickle.Pickler._BATCHSIZE). */
const SETITEMS_BATCH = 1000;

export type PickleValue =
  null | boolean | string | PyInt | PyFloat | PyTuple | PyDict | PyGlobal | PyReduce | PyPersistent;

export interface PyInt {
  readonly kind: 'int';
  readonly value: bigint;
}
export interface PyFloat {
  readonly kind: 'float';
  readonly value: number;
}
export interface PyTuple {
  readonly kind: 'tuple';
  readonly items: readonly PickleValue[];
}
export interface PyDict {
  readonly kind: 'dict';
  readonly entries: ReadonlyArray<readonly [PickleValue, PickleValue]>;
}
/** A module-level name (a class or function), as `module.name`. */
export interface PyGlobal {
  readonly kind: 'global';
  readonly module: string;
  readonly name: string;
}
/**
 * `callable(*args)`, then `items` set on the result: how pickle writes an object through its `__reduce__`
 * (an OrderedDict is `OrderedDict()` followed by its items).
 */
export interface PyReduce {
  readonly kind: 'reduce';
  readonly callable: PickleValue;
  readonly args: PyTuple;
  readonly dictItems: ReadonlyArray<readonly [PickleValue, PickleValue]>;
}
/** An object the unpickler's persistent_load resolves from `id` (a torch storage, for checkpoints). */
export interface PyPersistent {
  readonly kind: 'persistent';
  readonly id: PickleValue;
}

export function pyInt(value: number | bigint): PyInt {
  if (typeof value === 'number' && !Number.isSafeInteger(value))
    throw new RangeError(`pyInt: ${value} is not a safe integer`);
  return { kind: 'int', value: BigInt(value) };
}
export const pyFloat = (value: number): PyFloat => ({ kind: 'float', value });
export const pyTuple = (items: readonly PickleValue[]): PyTuple => ({ kind: 'tuple', items });
export const pyDict = (entries: ReadonlyArray<readonly [PickleValue, PickleValue]>): PyDict => ({
  kind: 'dict',
  entries,
});
export const pyGlobal = (module: string, name: string): PyGlobal => ({ kind: 'global', module, name });
export const pyReduce = (
  callable: PickleValue,
  args: readonly PickleValue[],
  dictItems: ReadonlyArray<readonly [PickleValue, PickleValue]> = [],
): PyReduce => ({ kind: 'reduce', callable, args: pyTuple(args), dictItems });
export const pyPersistent = (id: PickleValue): PyPersistent => ({ kind: 'persistent', id });

/** Serialises `value` as a protocol-2 pickle. */
export function pickle(value: PickleValue): Uint8Array {
  const writer = new PickleWriter();
  writer.byte(OP.PROTO, 2);
  writer.save(value);
  writer.byte(OP.STOP);
  return writer.bytes();
}

class PickleWriter {
  private buffer = new Uint8Array(4096);
  private length = 0;
  /**
   * Memo slots of globals and strings, so a repeated one is a BINGET, as Python's memo does for the same object
   * (`torch.FloatStorage`, the 'storage' and 'cpu' of every persistent id). Tuples and dicts are memoised too but
   * never looked up again: each is a distinct object.
   */
  private readonly memo = new Map<string, number>();
  private memoSize = 0;
  private readonly encoder = new TextEncoder();

  save(value: PickleValue): void {
    if (value === null) return this.byte(OP.NONE);
    if (typeof value === 'boolean') return this.byte(value ? OP.NEWTRUE : OP.NEWFALSE);
    if (typeof value === 'string') return this.saveString(value);
    switch (value.kind) {
      case 'int':
        return this.saveInt(value.value);
      case 'float':
        return this.saveFloat(value.value);
      case 'tuple':
        return this.saveTuple(value.items);
      case 'dict':
        this.byte(OP.EMPTY_DICT);
        this.put();
        return this.setItems(value.entries);
      case 'global':
        return this.saveGlobal(value.module, value.name);
      case 'reduce':
        this.save(value.callable);
        this.save(value.args);
        this.byte(OP.REDUCE);
        this.put();
        return this.setItems(value.dictItems);
      case 'persistent':
        this.save(value.id);
        return this.byte(OP.BINPERSID);
    }
  }

  bytes(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  byte(...values: number[]): void {
    this.reserve(values.length);
    for (const value of values) this.buffer[this.length++] = value;
  }

  private raw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  private uint32(value: number): void {
    this.byte(value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff);
  }

  private reserve(count: number): void {
    if (this.length + count <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + count));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }

  /** BINPUT the top of the stack into the next memo slot; returns the slot. */
  private put(): number {
    const slot = this.memoSize++;
    if (slot < 256) this.byte(OP.BINPUT, slot);
    else {
      this.byte(OP.LONG_BINPUT);
      this.uint32(slot);
    }
    return slot;
  }

  /** BINGET from the memo if `key` was saved before; otherwise write it with `emit` and memoise it. */
  private memoised(key: string, emit: () => void): void {
    const slot = this.memo.get(key);
    if (slot === undefined) {
      emit();
      this.memo.set(key, this.put());
    } else if (slot < 256) {
      this.byte(OP.BINGET, slot);
    } else {
      this.byte(OP.LONG_BINGET);
      this.uint32(slot);
    }
  }

  private saveString(value: string): void {
    this.memoised(`str:${value}`, () => {
      const utf8 = this.encoder.encode(value);
      this.byte(OP.BINUNICODE);
      this.uint32(utf8.length);
      this.raw(utf8);
    });
  }

  private saveGlobal(module: string, name: string): void {
    if (/[\n]/.test(module + name))
      throw new RangeError(`pickle: a global's module and name cannot hold newlines: ${module}.${name}`);
    this.memoised(`global:${module}\n${name}`, () => {
      this.byte(OP.GLOBAL);
      this.raw(this.encoder.encode(`${module}\n${name}\n`));
    });
  }

  /** As Python's save_long: the shortest of BININT1, BININT2, BININT, else LONG1. */
  private saveInt(value: bigint): void {
    if (value >= 0n && value <= 0xffn) return this.byte(OP.BININT1, Number(value));
    if (value >= 0n && value <= 0xffffn) return this.byte(OP.BININT2, Number(value) & 0xff, Number(value) >> 8);
    if (value >= -(2n ** 31n) && value < 2n ** 31n) {
      this.byte(OP.BININT);
      return this.uint32(Number(BigInt.asUintN(32, value)));
    }
    const bytes = twosComplementLittleEndian(value);
    this.byte(OP.LONG1, bytes.length);
    this.raw(bytes);
  }

  private saveFloat(value: number): void {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setFloat64(0, value, false);
    this.byte(OP.BINFLOAT);
    this.raw(bytes);
  }

  /** As Python's save_tuple at protocol 2: EMPTY_TUPLE, TUPLE1–3 for short tuples, MARK … TUPLE beyond. */
  private saveTuple(items: readonly PickleValue[]): void {
    if (items.length === 0) return this.byte(OP.EMPTY_TUPLE); // Python does not memoise ()
    const short = [OP.TUPLE1, OP.TUPLE2, OP.TUPLE3][items.length - 1];
    if (short === undefined) this.byte(OP.MARK);
    for (const item of items) this.save(item);
    this.byte(short ?? OP.TUPLE);
    this.put();
  }

  /** As Python's _batch_setitems: MARK, key, value, …, SETITEMS in batches; a lone pair is a SETITEM. */
  private setItems(entries: ReadonlyArray<readonly [PickleValue, PickleValue]>): void {
    for (let start = 0; start < entries.length; start += SETITEMS_BATCH) {
      const batch = entries.slice(start, start + SETITEMS_BATCH);
      if (batch.length > 1) this.byte(OP.MARK);
      for (const [key, value] of batch) {
        this.save(key);
        this.save(value);
      }
      this.byte(batch.length > 1 ? OP.SETITEMS : OP.SETITEM);
    }
  }
}

/** Python's encode_long: the fewest little-endian bytes that hold `value` in two's complement. */
function twosComplementLittleEndian(value: bigint): Uint8Array {
  const bytes: number[] = [];
  let rest = value;
  for (;;) {
    const low = Number(BigInt.asUintN(8, rest));
    bytes.push(low);
    rest >>= 8n;
    const signBit = (low & 0x80) !== 0;
    if ((rest === 0n && !signBit) || (rest === -1n && signBit)) break;
  }
  return Uint8Array.from(bytes);
}
