/**
 * A cap on what one unpickling may build, in proportion to the pickle bytes
 * read so far. Pickle opcodes are cheap and objects are not: one EMPTY_DICT
 * byte makes a JavaScript Map of about 250 bytes, so 2 MB of them would take
 * 500 MB. Each value is charged roughly what V8 spends on it; real torch
 * pickles spend a few times the bytes they have read at every point (see
 * OBJECT_BYTES_PER_PICKLE_BYTE), hostile ones are stopped with a 'too-large'
 * error long before the heap runs out.
 *
 * The bytes read, not the bytes that follow: a legacy stream's pickles are
 * followed by the raw storages, which a budget on "the rest of the file"
 * would count, letting a small pickle before 100 MB of data build 3 GB.
 */

/** Approximate bytes V8 spends per value (x64, pointer compression off: the larger case). */
export const COST = {
  /** A stack or memo slot, a number, a boolean, None. */
  slot: 8,
  /** A boxed float or a small BigInt. */
  boxed: 32,
  /** An empty Map (a dict). */
  map: 200,
  /** One entry added to a Map. */
  mapEntry: 40,
  /** An empty JavaScript array (a list or tuple, or the stack a MARK opens), with its bookkeeping. */
  array: 96,
  /** A Uint8Array view (bytes objects stay views on the input). */
  view: 120,
  /** A string's header; its characters are charged on top. */
  string: 24,
  /** A call to an allowed global (the TensorRef, StorageRef or Map it returns). */
  call: 160,
} as const;

/**
 * Charged bytes allowed per byte of pickle read. Real checkpoints measure at
 * most 16 to 22 (the state_dicts in fixtures/checkpoints, torch 1.13); the
 * factor leaves room for pickles written by other tools.
 */
export const OBJECT_BYTES_PER_PICKLE_BYTE = 32;

/** Every pickle may build this much whatever its size (legacy headers are a few dozen bytes). */
export const OBJECT_BYTES_FLOOR = 1 << 20;

export class ObjectBudgetError extends Error {
  constructor(
    /** Bytes of objects charged when the budget ran out. */
    readonly spent: number,
    /** Pickle bytes read by then, the current opcode's included. */
    readonly bytesRead: number,
    readonly limit: number,
  ) {
    super(`builds ${spent} bytes of objects from ${bytesRead} bytes, more than ${limit}`);
  }
}

export class ObjectBudget {
  private spent = 0;

  /** `bytesRead`: how many of the pickle's bytes the unpickler has consumed so far. */
  constructor(private readonly bytesRead: () => number) {}

  get used(): number {
    return this.spent;
  }

  /** Charges after the bytes that describe the value have been read (a string's characters included). */
  charge(bytes: number): void {
    this.spent += bytes;
    const read = this.bytesRead();
    const limit = OBJECT_BYTES_FLOOR + OBJECT_BYTES_PER_PICKLE_BYTE * read;
    if (this.spent > limit) throw new ObjectBudgetError(this.spent, read, limit);
  }
}
