import { BoundedReader } from './bounded-reader.js';
import { COST, ObjectBudget } from './object-budget.js';
import { MAX_LONG_BYTES, OP, REFUSED_OPCODES } from './opcodes.js';

/**
 * A pickle virtual machine for checkpoints, in place of pickleparser (0.2.1),
 * which could not be made safe from outside: its DICT opcode and its BUILD
 * (an Object.assign) set keys chosen by the file as plain properties, so a
 * `__proto__` key re-parented objects and forged the reader's brand checks;
 * REDUCE called whatever was on the stack; LONG4 decoding was quadratic and
 * LONG1 unsigned; nothing bounded the objects a pickle could build.
 *
 * Here, by construction:
 * - pickle data never names a property: dicts are Maps, lists and tuples are
 *   arrays filled by index, and no opcode assigns onto an object;
 * - REDUCE and NEWOBJ call only a function that a GLOBAL of this pickle
 *   resolved through the allow-list, with a tuple of arguments;
 * - BUILD drops the attributes of a dict (OrderedDict's `_metadata`) and hands
 *   an object the resolvers call inert (a placeholder) its state to keep as
 *   data; it never assigns anything onto anything;
 * - integers are at most 8 bytes (int64), decoded in linear time;
 * - every value is charged to an ObjectBudget proportional to the pickle bytes read;
 * - every opcode is executed from an allow-list; others are refused by name.
 */

/** More than any allowed global takes (`_rebuild_tensor_v2` has 7). */
const MAX_CALL_ARGUMENTS = 16;

export type PickleCallable = (...args: unknown[]) => unknown;

export interface PickleResolvers {
  /** The allowed function or class a GLOBAL names; throws to refuse. */
  resolveGlobal(module: string, name: string): PickleCallable;
  /** What a BINPERSID id stands for; throws to refuse. */
  resolvePersistent(pid: unknown): unknown;
  /** An object of the resolvers' own making (a placeholder) that BUILD may hand its pickled state. */
  isInert?(value: unknown): boolean;
  /** Keeps the state BUILD handed an inert object, as plain data beside it (never applied to it). */
  keepState?(target: unknown, state: unknown): void;
}

/** The opcode's bytes are there, but what they say no valid pickle says. */
export class PickleFormatError extends Error {}

export interface PickleRun {
  readonly value: unknown;
  /** Bytes charged to the budget, for tests and the budget's calibration. */
  readonly charged: number;
}

export class Unpickler {
  private stack: unknown[] = [];
  private readonly metastack: unknown[][] = [];
  private readonly memo = new Map<number, unknown>();
  /** The functions GLOBAL resolved in this run: the only things REDUCE may call. */
  private readonly callables = new Set<PickleCallable>();
  /** Lists are arrays that APPEND may grow; tuples are frozen arrays. */
  private readonly lists = new WeakSet<unknown[]>();
  private readonly budget: ObjectBudget;
  /** Where the opcode being executed starts, for messages. */
  opcodeAt: number;

  constructor(
    private readonly reader: BoundedReader,
    private readonly resolvers: PickleResolvers,
  ) {
    const start = reader.position;
    this.budget = new ObjectBudget(() => reader.position - start);
    this.opcodeAt = start;
  }

  run(): PickleRun {
    const { reader } = this;
    for (;;) {
      this.opcodeAt = reader.position;
      const opcode = reader.byte();
      if (opcode === OP.STOP) return { value: this.pop(), charged: this.budget.used };
      this.execute(opcode);
    }
  }

  private execute(opcode: number): void {
    const { reader } = this;
    switch (opcode) {
      case OP.PROTO: {
        const version = reader.byte();
        if (version > 5) this.fail(`unsupported pickle protocol ${version}`);
        return;
      }
      case OP.FRAME:
        reader.skip(8); // a framing hint: the bytes that follow are read as they come
        return;
      case OP.MARK:
        this.budget.charge(COST.array);
        this.metastack.push(this.stack);
        this.stack = [];
        return;
      case OP.POP:
        if (this.stack.length > 0) this.stack.pop();
        else this.popMark();
        return;
      case OP.POP_MARK:
        this.popMark();
        return;
      case OP.DUP:
        return this.push(this.top());

      case OP.BINPUT:
        return this.put(reader.byte());
      case OP.LONG_BINPUT:
        return this.put(reader.uint32());
      case OP.MEMOIZE:
        return this.put(this.memo.size);
      case OP.BINGET:
        return this.get(reader.byte());
      case OP.LONG_BINGET:
        return this.get(reader.uint32());

      case OP.NONE:
        return this.push(null);
      case OP.NEWTRUE:
        return this.push(true);
      case OP.NEWFALSE:
        return this.push(false);
      case OP.BININT:
        return this.push(reader.int32());
      case OP.BININT1:
        return this.push(reader.byte());
      case OP.BININT2:
        return this.push(reader.uint16());
      case OP.LONG1:
        return this.pushLong('LONG1', reader.byte());
      case OP.LONG4:
        return this.pushLong('LONG4', reader.int32());
      case OP.BINFLOAT:
        this.budget.charge(COST.boxed);
        return this.push(reader.float64());

      case OP.BINUNICODE:
        return this.pushString(reader.uint32(), 'utf-8');
      case OP.SHORT_BINUNICODE:
        return this.pushString(reader.byte(), 'utf-8');
      case OP.BINUNICODE8:
        return this.pushString(reader.uint64(), 'utf-8');
      case OP.BINSTRING: {
        // Python 2 str, length a signed int32: Python refuses a negative one, and so do we.
        const length = reader.int32();
        if (length < 0) this.fail(`BINSTRING has a negative length ${length}`);
        return this.pushString(length, 'ascii');
      }
      case OP.SHORT_BINSTRING:
        return this.pushString(reader.byte(), 'ascii');
      case OP.BINBYTES:
        return this.pushBytes(reader.uint32());
      case OP.SHORT_BINBYTES:
        return this.pushBytes(reader.byte());
      case OP.BINBYTES8:
        return this.pushBytes(reader.uint64());

      case OP.EMPTY_TUPLE:
        return this.pushTuple([]);
      case OP.TUPLE:
        return this.pushTuple(this.popMark());
      case OP.TUPLE1:
        return this.pushTuple(this.popMany(1));
      case OP.TUPLE2:
        return this.pushTuple(this.popMany(2));
      case OP.TUPLE3:
        return this.pushTuple(this.popMany(3));
      case OP.EMPTY_LIST: {
        this.budget.charge(COST.array);
        const list: unknown[] = [];
        this.lists.add(list);
        return this.push(list);
      }
      case OP.APPEND: {
        const item = this.pop();
        this.budget.charge(COST.slot);
        this.listOnTop('APPEND').push(item);
        return;
      }
      case OP.APPENDS: {
        const items = this.popMark();
        this.budget.charge(COST.slot * items.length);
        const list = this.listOnTop('APPENDS');
        for (const item of items) list.push(item);
        return;
      }
      case OP.EMPTY_DICT:
        this.budget.charge(COST.map);
        return this.push(new Map<unknown, unknown>());
      case OP.SETITEM: {
        const value = this.pop();
        const key = this.pop();
        this.setItems('SETITEM', [key, value]);
        return;
      }
      case OP.SETITEMS:
        this.setItems('SETITEMS', this.popMark());
        return;

      case OP.GLOBAL: {
        const module = reader.line();
        const name = reader.line();
        return this.pushGlobal(module, name);
      }
      case OP.STACK_GLOBAL: {
        const name = this.pop();
        const module = this.pop();
        if (typeof module !== 'string' || typeof name !== 'string')
          this.fail('STACK_GLOBAL expects a module and a name as strings');
        return this.pushGlobal(module, name);
      }
      case OP.REDUCE:
        return this.call('REDUCE');
      // copyreg.__newobj__ (protocol 2): how an optimizer object saved whole names its class.
      case OP.NEWOBJ:
        return this.call('NEWOBJ');
      case OP.BINPERSID: {
        const pid = this.pop();
        this.budget.charge(COST.call);
        return this.push(this.resolvers.resolvePersistent(pid));
      }
      case OP.BUILD: {
        // torch pickles an OrderedDict's attributes (state_dict's `_metadata`) with BUILD;
        // they say nothing about the tensors and are dropped. Anything else is refused.
        const state = this.pop();
        const target = this.top();
        if (this.resolvers.isInert?.(target) === true) {
          this.resolvers.keepState?.(target, state);
          return;
        }
        if (!(target instanceof Map) || !(state instanceof Map || state === null)) {
          this.fail('BUILD may only set the attributes of a dict');
        }
        return;
      }
      default: {
        const refused = REFUSED_OPCODES.get(opcode);
        const hex = `0x${opcode.toString(16).padStart(2, '0')}`;
        this.fail(
          refused === undefined
            ? `unknown opcode ${hex}`
            : `opcode ${refused} (${hex}) is not allowed: torch.save never writes it`,
        );
      }
    }
  }

  private fail(message: string): never {
    throw new PickleFormatError(message);
  }

  private push(value: unknown): void {
    this.budget.charge(COST.slot);
    this.stack.push(value);
  }

  private pop(): unknown {
    if (this.stack.length === 0) this.fail('stack underflow');
    return this.stack.pop();
  }

  private top(): unknown {
    if (this.stack.length === 0) this.fail('stack underflow');
    return this.stack[this.stack.length - 1];
  }

  private popMany(count: number): unknown[] {
    if (this.stack.length < count) this.fail('stack underflow');
    return this.stack.splice(this.stack.length - count, count);
  }

  private popMark(): unknown[] {
    const items = this.stack;
    const outer = this.metastack.pop();
    if (outer === undefined) this.fail('no MARK to pop back to');
    this.stack = outer;
    return items;
  }

  private put(index: number): void {
    this.budget.charge(COST.mapEntry);
    this.memo.set(index, this.top());
  }

  private get(index: number): void {
    if (!this.memo.has(index)) this.fail(`memo key ${index} is not defined`);
    this.push(this.memo.get(index));
  }

  private pushLong(opcode: string, length: number): void {
    // Refused before reading: a 256 KB integer is no size, count or epoch.
    if (length < 0 || length > MAX_LONG_BYTES) {
      this.fail(`${opcode} integer of ${length} bytes: a checkpoint's integers fit in ${MAX_LONG_BYTES} bytes`);
    }
    this.budget.charge(COST.boxed);
    this.push(decodeLong(this.reader.bytes(length)));
  }

  private pushString(length: number, encoding: 'ascii' | 'utf-8'): void {
    // Read first: the characters are bytes of the pickle, which pay for the string (the reader stops at its end).
    const text = this.reader.string(length, encoding);
    this.budget.charge(COST.string + length);
    this.push(text);
  }

  private pushBytes(length: number): void {
    this.budget.charge(COST.view);
    this.push(this.reader.bytes(length));
  }

  private pushTuple(items: unknown[]): void {
    this.budget.charge(COST.array + COST.slot * items.length);
    this.push(Object.freeze(items));
  }

  private call(opcode: string): void {
    const args = this.pop();
    const callable = this.pop();
    if (typeof callable !== 'function' || !this.callables.has(callable as PickleCallable)) {
      this.fail(`${opcode} calls something that is not an allowed global`);
    }
    if (!Array.isArray(args) || !Object.isFrozen(args)) this.fail(`${opcode} expects a tuple of arguments`);
    // The allowed globals take at most 7; a spread of 100,000 would overflow the call stack.
    if (args.length > MAX_CALL_ARGUMENTS)
      this.fail(`${opcode} with ${args.length} arguments: allowed globals take at most ${MAX_CALL_ARGUMENTS}`);
    this.budget.charge(COST.call);
    this.push((callable as PickleCallable)(...(args as unknown[])));
  }

  private pushGlobal(module: string, name: string): void {
    const callable = this.resolvers.resolveGlobal(module, name);
    this.callables.add(callable);
    this.push(callable);
  }

  private listOnTop(opcode: string): unknown[] {
    const list = this.top();
    if (!Array.isArray(list) || !this.lists.has(list)) this.fail(`${opcode} expects a list`);
    return list;
  }

  private setItems(opcode: string, items: readonly unknown[]): void {
    if (items.length % 2 !== 0) this.fail(`${opcode} has a key without a value`);
    const dict = this.top();
    if (!(dict instanceof Map)) this.fail(`${opcode} expects a dict`);
    this.budget.charge(COST.mapEntry * (items.length / 2));
    for (let index = 0; index < items.length; index += 2) {
      const key = items[index];
      // Python refuses unhashable keys; a list or dict as a key is no checkpoint's.
      if (key instanceof Map || (Array.isArray(key) && this.lists.has(key)))
        this.fail(`${opcode} has an unhashable key`);
      (dict as Map<unknown, unknown>).set(key, items[index + 1]);
    }
  }
}

/** Python's decode_long: little-endian two's complement, at most MAX_LONG_BYTES bytes. */
export function decodeLong(bytes: Uint8Array): number | bigint {
  let value = 0n;
  for (let index = bytes.length - 1; index >= 0; index--) value = (value << 8n) | BigInt(bytes[index] ?? 0);
  if (bytes.length > 0 && ((bytes[bytes.length - 1] ?? 0) & 0x80) !== 0) value -= 1n << BigInt(8 * bytes.length);
  const asNumber = Number(value);
  return Number.isSafeInteger(asNumber) ? asNumber : value;
}
