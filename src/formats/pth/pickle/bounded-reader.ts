/** Thrown when an opcode asks for bytes past the end of the pickle's window. */
export class PickleEndError extends Error {}

/** Thrown when an opcode carries a length that no real pickle could have. */
export class PickleLengthError extends Error {}

const LINE_FEED = 0x0a;

/**
 * The unpickler's byte reader. Every read is confined to [start, end) of the
 * Uint8Array it was given (never its underlying ArrayBuffer), so each pickle
 * of a legacy stream stays inside the file and inside the caller's view.
 * It refuses what pickleparser's own reader let through:
 * - a negative length: a reader that steps backwards lands on the same opcode
 *   again, an endless loop on a 5-byte input;
 * - uint64 lengths beyond 2^53;
 * - reading past `end`, with the position where it stopped for messages.
 */
export class BoundedReader {
  private readonly view: DataView;
  private readonly utf8 = new TextDecoder('utf-8');
  private readonly latin1 = new TextDecoder('latin1');
  private cursor: number;

  constructor(
    private readonly buffer: Uint8Array,
    start = 0,
    private readonly end = buffer.length,
  ) {
    this.view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    this.cursor = start;
  }

  get position(): number {
    return this.cursor;
  }

  private take(length: number): number {
    if (!Number.isSafeInteger(length) || length < 0) {
      throw new PickleLengthError(`invalid length ${length}`);
    }
    const at = this.cursor;
    if (length > this.end - at) {
      throw new PickleEndError(`needs ${length} bytes at byte ${at} but only ${this.end - at} remain`);
    }
    this.cursor = at + length;
    return at;
  }

  byte(): number {
    return this.view.getUint8(this.take(1));
  }

  bytes(length: number): Uint8Array {
    const at = this.take(length);
    return this.buffer.subarray(at, at + length);
  }

  uint16(): number {
    return this.view.getUint16(this.take(2), true);
  }

  int32(): number {
    return this.view.getInt32(this.take(4), true);
  }

  uint32(): number {
    return this.view.getUint32(this.take(4), true);
  }

  uint64(): number {
    const at = this.take(8);
    const value = this.view.getUint32(at, true) + 2 ** 32 * this.view.getUint32(at + 4, true);
    if (!Number.isSafeInteger(value)) throw new PickleLengthError(`64-bit length ${value} is beyond 2^53`);
    return value;
  }

  float64(): number {
    // BINFLOAT is the one big-endian number in the pickle format.
    return this.view.getFloat64(this.take(8), false);
  }

  skip(length: number): void {
    this.take(length);
  }

  get remaining(): number {
    return this.end - this.cursor;
  }

  string(size: number, encoding: 'ascii' | 'utf-8'): string {
    // Python's 'ascii' strings here are byte strings (protocol 0-2 str); latin1
    // maps each byte to one code point, which is what a "str of bytes" means.
    const bytes = this.bytes(size);
    return encoding === 'utf-8' ? this.utf8.decode(bytes) : this.latin1.decode(bytes);
  }

  line(): string {
    const newline = this.buffer.subarray(0, this.end).indexOf(LINE_FEED, this.cursor);
    if (newline < 0) throw new PickleEndError(`a text opcode at byte ${this.cursor} has no end of line`);
    const text = this.string(newline - this.cursor, 'ascii');
    this.cursor = newline + 1;
    return text;
  }

  hasNext(): boolean {
    return this.cursor < this.end;
  }
}
