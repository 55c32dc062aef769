/**
 * A cap on what one unpickling may build, in proportion to the pickle's size.
 * Pickle opcodes are cheap and objects are not: one EMPTY_DICT byte makes a
 * JavaScript Map of about 250 bytes, so 2 MB of them would take 500 MB. Each
 * value is charged roughly what V8 spends on it; real torch pickles spend a
 * few times their size (see OBJECT_BYTES_PER_PICKLE_BYTE), hostile ones are
 * stopped with a 'too-large' error long before the heap runs out.
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
 * Charged bytes allowed per byte of pickle. Real checkpoints measure at most
 * 16 to 22 (the state_dicts in fixtures/checkpoints, torch 1.13); the
 * factor leaves room for pickles written by other tools.
 */
export const OBJECT_BYTES_PER_PICKLE_BYTE = 32;

/** Every pickle may build this much whatever its size (legacy headers are a few dozen bytes). */
export const OBJECT_BYTES_FLOOR = 1 << 20;

export class ObjectBudgetError extends Error {
  constructor(
    readonly limit: number,
    readonly pickleBytes: number,
  ) {
    super(`builds more than ${limit} bytes of objects`);
  }
}

export class ObjectBudget {
  private spent = 0;
  readonly limit: number;

  constructor(private readonly pickleBytes: number) {
    this.limit = OBJECT_BYTES_FLOOR + OBJECT_BYTES_PER_PICKLE_BYTE * pickleBytes;
  }

  get used(): number {
    return this.spent;
  }

  charge(bytes: number): void {
    this.spent += bytes;
    if (this.spent > this.limit) throw new ObjectBudgetError(this.limit, this.pickleBytes);
  }
}
