/** Protobuf wire types. */
export const WIRE = { varint: 0, fixed64: 1, lengthDelimited: 2, fixed32: 5 } as const;

const UTF8 = new TextDecoder();

/** A cursor over [pos, end) of protobuf wire-format bytes; every read is bounds-checked. */
export class WireReader {
  constructor(
    private readonly bytes: Uint8Array,
    private pos: number,
    private readonly end: number,
  ) {}

  done(): boolean {
    return this.pos >= this.end;
  }

  tag(): [field: number, wireType: number] {
    const tag = this.uint();
    const field = Math.floor(tag / 8);
    if (field === 0) throw new Error(`field number 0 at byte ${this.pos}`);
    return [field, tag % 8];
  }

  /** An unsigned varint that must fit a safe integer (ONNX's int64 versions do). */
  uint(): number {
    let value = 0;
    for (let shift = 0; shift < 64; shift += 7) {
      if (this.pos >= this.end) throw new Error('premature end of data in a varint');
      const byte = this.bytes[this.pos++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) {
        if (!Number.isSafeInteger(value)) throw new Error(`varint ${value} is beyond 2^53`);
        return value;
      }
    }
    throw new Error('varint longer than 10 bytes');
  }

  string(): string {
    const length = this.length();
    const text = UTF8.decode(this.bytes.subarray(this.pos, this.pos + length));
    this.pos += length;
    return text;
  }

  message<T>(read: (reader: WireReader) => T): T {
    const length = this.length();
    const result = read(new WireReader(this.bytes, this.pos, this.pos + length));
    this.pos += length;
    return result;
  }

  skip(wireType: number): void {
    if (wireType === WIRE.varint) this.skipVarint();
    else if (wireType === WIRE.lengthDelimited)
      this.advance(this.length()); // not `pos += length()`: that adds to the old pos
    else if (wireType === WIRE.fixed64) this.advance(8);
    else if (wireType === WIRE.fixed32) this.advance(4);
    else throw new Error(`unsupported wire type ${wireType} at byte ${this.pos}`);
  }

  /** A varint of any size (a negative int64 takes ten bytes and is beyond 2^53), skipped unread. */
  private skipVarint(): void {
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new Error('premature end of data in a varint');
      if ((this.bytes[this.pos++]! & 0x80) === 0) return;
    }
    throw new Error('varint longer than 10 bytes');
  }

  private length(): number {
    const length = this.uint();
    if (length > this.end - this.pos) throw new Error(`a length of ${length} runs past the end of the data`);
    return length;
  }

  private advance(count: number): void {
    if (count > this.end - this.pos) throw new Error('premature end of data');
    this.pos += count;
  }
}

/** StringStringEntryProto: key (1), value (2). */
export function readStringPair(reader: WireReader): [string, string] {
  let key = '';
  let value = '';
  while (!reader.done()) {
    const [field, wireType] = reader.tag();
    if (field === 1 && wireType === WIRE.lengthDelimited) key = reader.string();
    else if (field === 2 && wireType === WIRE.lengthDelimited) value = reader.string();
    else reader.skip(wireType);
  }
  return [key, value];
}
