/** Protobuf wire types. */
const WIRE = { varint: 0, fixed64: 1, lengthDelimited: 2, fixed32: 5 } as const;

const UTF8 = new TextEncoder();
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Protobuf wire-format bytes, written field by field: all writeOnnx needs. Only a writer: models are read with
 * protobuf-es (decode.ts), whose tag and field semantics are protobuf's own.
 * Kept free of the protobuf runtime on purpose: loading @bufbuild/protobuf and onnx-buf's schema (decoded at
 * import) took more of nin-convert's start-up than writing every message around the weights.
 *
 * Encodings follow protobuf-es's BinaryWriter, so that the bytes are the same as its toBinary's for the same
 * fields in the same order: int64 as a varint (a negative one in ten bytes), float as little-endian fixed32,
 * repeated scalars unpacked (onnx.proto is proto2 and marks none packed), strings as UTF-8.
 */
export class WireWriter {
  private buffer = new Uint8Array(64);
  private pos = 0;

  /** An int64, int32 or enum field (its value a safe integer). */
  varint(field: number, value: number): this {
    this.tag(field, WIRE.varint);
    if (Number.isInteger(value) && value >= 0 && value <= 0xffffffff) this.uint(value);
    else this.uint64(BigInt.asUintN(64, BigInt(value)));
    return this;
  }

  /** A float field, as protobuf-es writes it: a finite value beyond float32's range is an error, not Infinity. */
  float(field: number, value: number): this {
    if (Number.isFinite(value) && !Number.isFinite(Math.fround(value))) {
      throw new RangeError(`writeOnnx: ${value} is beyond float32's range (±${FLOAT32_MAX})`);
    }
    this.tag(field, WIRE.fixed32);
    this.reserve(4);
    new DataView(this.buffer.buffer).setFloat32(this.pos, value, true);
    this.pos += 4;
    return this;
  }

  string(field: number, text: string): this {
    return this.bytes(field, UTF8.encode(text));
  }

  bytes(field: number, data: Uint8Array): this {
    this.tag(field, WIRE.lengthDelimited);
    this.uint(data.byteLength);
    this.raw(data);
    return this;
  }

  /** An embedded message, written by `write` into a writer of its own and framed with its length. */
  message(field: number, write: (writer: WireWriter) => void): this {
    const inner = new WireWriter();
    write(inner);
    return this.bytes(field, inner.finish());
  }

  /** Bytes already in wire format (a tag and length framed elsewhere). */
  raw(data: Uint8Array): this {
    this.reserve(data.byteLength);
    this.buffer.set(data, this.pos);
    this.pos += data.byteLength;
    return this;
  }

  /** The tag and length of a length-delimited field whose contents follow separately. */
  frame(field: number, length: number): this {
    this.tag(field, WIRE.lengthDelimited);
    this.uint(length);
    return this;
  }

  finish(): Uint8Array {
    return this.buffer.slice(0, this.pos);
  }

  private tag(field: number, wireType: number): void {
    this.uint(field * 8 + wireType);
  }

  /** An unsigned varint of a safe integer. */
  private uint(value: number): void {
    this.reserve(10);
    while (value >= 0x80) {
      this.buffer[this.pos++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.buffer[this.pos++] = value;
  }

  private uint64(value: bigint): void {
    this.reserve(10);
    while (value >= 0x80n) {
      this.buffer[this.pos++] = Number(value & 0x7fn) | 0x80;
      value >>= 7n;
    }
    this.buffer[this.pos++] = Number(value);
  }

  private reserve(count: number): void {
    if (this.pos + count <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.pos + count));
    grown.set(this.buffer.subarray(0, this.pos));
    this.buffer = grown;
  }
}
