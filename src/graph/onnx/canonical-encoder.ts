import { ScalarType, type DescField, type DescMessage } from '@bufbuild/protobuf';

/**
 * nin-sdk's one protobuf encoder: protobuf-es's toBinary, byte for byte (fields in field-number order, proto2
 * presence, packed lists as declared, no unknown fields), written in two passes: every message's size first, then
 * the bytes. It stays beside toBinary for three reasons that toBinary cannot meet:
 * - one buffer of exactly the model's size: toBinary grows its buffer by doubling, copies a nested message's bytes
 *   again when its length prefix needs more than a byte, and copies the whole once more at the end;
 * - weights not copied (encodeCanonicalParts): writeOnnx hands the file writer the bytes around the weights and the
 *   weights' own memory, in order, so that a 30 MB model is never held twice;
 * - bytes compared in place (isCanonicalEncoding): a model that is already its own canonical encoding (every model
 *   writeOnnx writes) is handed to ONNX Runtime as it is, without a copy, after checking every byte but the weights
 *   that the decoded tree shares with it.
 * Tests hold it to toBinary's bytes (test/graph/canonical-encoder.test.ts and every passing case of
 * test/security/onnx-wire-fuzz.test.ts).
 *
 * Covers the field kinds onnx.proto has (no maps, no groups); any other throws rather than writing bytes that
 * toBinary would not.
 */
export function encodeCanonical(desc: DescMessage, message: object): Uint8Array {
  const sizes = new Map<object, number>();
  const utf8 = new Map<string, Uint8Array>();
  const total = sizeOf(desc, message as Fields, sizes, utf8, Infinity).size;
  const out = new Writer(new Uint8Array(total), sizes, utf8);
  out.message(desc, message as Fields);
  if (out.pos !== total) throw new Error(`encodeCanonical: wrote ${out.pos} bytes of ${total}`);
  return out.bytes;
}

/**
 * encodeCanonical's bytes as consecutive pieces: bytes fields of `detachFrom` bytes or more (weights' raw_data) are
 * pieces of their own, the caller's memory as given, and everything between them lies in one buffer.
 */
export function encodeCanonicalParts(desc: DescMessage, message: object, detachFrom: number): Uint8Array[] {
  const sizes = new Map<object, number>();
  const utf8 = new Map<string, Uint8Array>();
  const { size, detached } = sizeOf(desc, message as Fields, sizes, utf8, detachFrom);
  const out = new PartsWriter(new Uint8Array(size - detached), sizes, utf8, detachFrom);
  out.message(desc, message as Fields);
  const parts = out.finish();
  if (out.pos !== size - detached)
    throw new Error(`encodeCanonicalParts: wrote ${out.pos} bytes of ${size - detached}`);
  return parts;
}

/**
 * Whether `bytes` are exactly encodeCanonical(desc, message), found without encoding: every byte is compared where
 * it lies, except a bytes field that is already a view of `bytes` at the place its encoding would put it (what
 * protobuf-es's fromBinary gives for raw_data), which is the same memory.
 */
export function isCanonicalEncoding(desc: DescMessage, message: object, bytes: Uint8Array): boolean {
  const sizes = new Map<object, number>();
  const utf8 = new Map<string, Uint8Array>();
  if (sizeOf(desc, message as Fields, sizes, utf8, Infinity).size !== bytes.length) return false;
  const matcher = new Matcher(bytes, sizes, utf8);
  try {
    matcher.message(desc, message as Fields);
  } catch (error) {
    if (error === MISMATCH) return false;
    throw error;
  }
  return matcher.pos === bytes.length;
}

type Fields = Readonly<Record<string, unknown>>;
type Oneof = { readonly case: string | undefined; readonly value?: unknown };

const WIRE = { varint: 0, fixed64: 1, lengthDelimited: 2, fixed32: 5 } as const;
const ENCODER = new TextEncoder();
const sortedFieldsOf = new WeakMap<DescMessage, readonly DescField[]>();

function fieldsOf(desc: DescMessage): readonly DescField[] {
  let sorted = sortedFieldsOf.get(desc);
  if (sorted === undefined) {
    sorted = desc.fields.concat().sort((a, b) => a.number - b.number);
    sortedFieldsOf.set(desc, sorted);
  }
  return sorted;
}

/** The value a singular field has when toBinary writes it, or undefined when it writes nothing. */
function presentValue(field: DescField, message: Fields): unknown {
  if (field.oneof !== undefined) {
    const oneof = message[field.oneof.localName] as Oneof;
    return oneof.case === field.localName ? oneof.value : undefined;
  }
  // Explicit presence (proto2): set fields are own properties; defaults live on the prototype.
  const value = message[field.localName];
  return value !== undefined && Object.prototype.hasOwnProperty.call(message, field.localName) ? value : undefined;
}

function scalarOf(field: DescField): ScalarType {
  if (field.fieldKind === 'enum' || (field.fieldKind === 'list' && field.listKind === 'enum')) return ScalarType.INT32;
  if (field.fieldKind === 'scalar' || (field.fieldKind === 'list' && field.listKind === 'scalar')) return field.scalar;
  throw new Error(`encodeCanonical: ${field.name} is not a scalar`);
}

function wireTypeOf(scalar: ScalarType): number {
  switch (scalar) {
    case ScalarType.FLOAT:
    case ScalarType.FIXED32:
    case ScalarType.SFIXED32:
      return WIRE.fixed32;
    case ScalarType.DOUBLE:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return WIRE.fixed64;
    case ScalarType.STRING:
    case ScalarType.BYTES:
      return WIRE.lengthDelimited;
    default:
      return WIRE.varint;
  }
}

function varintSize(value: number): number {
  let size = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 128)) size++;
  return size;
}

/** An int32 or enum as protobuf writes it: a negative one sign-extended to ten bytes. */
function int32Size(value: number): number {
  return value < 0 ? 10 : varintSize(value);
}

function varint64Size(value: bigint): number {
  let size = 1;
  for (let v = BigInt.asUintN(64, value); v >= 0x80n; v >>= 7n) size++;
  return size;
}

function utf8Of(text: string, cache: Map<string, Uint8Array>): Uint8Array {
  let bytes = cache.get(text);
  if (bytes === undefined) {
    bytes = ENCODER.encode(text);
    cache.set(text, bytes);
  }
  return bytes;
}

function scalarSize(scalar: ScalarType, value: unknown, utf8: Map<string, Uint8Array>): number {
  switch (scalar) {
    case ScalarType.FLOAT:
      return 4;
    case ScalarType.DOUBLE:
      return 8;
    case ScalarType.BOOL:
      return 1;
    case ScalarType.INT32:
      return int32Size(value as number);
    case ScalarType.UINT32:
      return varintSize(value as number);
    case ScalarType.INT64:
    case ScalarType.UINT64:
      return varint64Size(BigInt(value as bigint | string));
    case ScalarType.STRING: {
      const length = utf8Of(value as string, utf8).length;
      return varintSize(length) + length;
    }
    case ScalarType.BYTES: {
      const length = (value as Uint8Array).length;
      return varintSize(length) + length;
    }
    default:
      throw new Error(`encodeCanonical: scalar type ${scalar} is not in onnx.proto`);
  }
}

/** A string's or bytes field's payload length when it is a piece of its own (`detachFrom` bytes or more), else 0. */
function detachedLength(scalar: ScalarType, value: unknown, utf8: Map<string, Uint8Array>, detachFrom: number): number {
  const length =
    scalar === ScalarType.BYTES
      ? (value as Uint8Array).length
      : scalar === ScalarType.STRING
        ? utf8Of(value as string, utf8).length
        : 0;
  return length >= detachFrom ? length : 0;
}

/** A message's encoded size, and how much of it lies in bytes fields of `detachFrom` bytes or more. */
function sizeOf(
  desc: DescMessage,
  message: Fields,
  sizes: Map<object, number>,
  utf8: Map<string, Uint8Array>,
  detachFrom: number,
): { size: number; detached: number } {
  let size = 0;
  let detached = 0;
  for (const field of fieldsOf(desc)) {
    const tag = varintSize(field.number * 8);
    if (field.fieldKind === 'map') throw new Error(`encodeCanonical: map field ${field.name} is not in onnx.proto`);
    if (field.fieldKind === 'message' || (field.fieldKind === 'list' && field.listKind === 'message')) {
      if (field.delimitedEncoding) throw new Error(`encodeCanonical: group field ${field.name} is not in onnx.proto`);
      const children =
        field.fieldKind === 'list'
          ? (message[field.localName] as readonly Fields[])
          : [presentValue(field, message) as Fields | undefined].filter((c): c is Fields => c !== undefined);
      for (const child of children) {
        const inner = sizeOf(field.message, child, sizes, utf8, detachFrom);
        sizes.set(child, inner.size);
        size += tag + varintSize(inner.size) + inner.size;
        detached += inner.detached;
      }
    } else if (field.fieldKind === 'list') {
      const scalar = scalarOf(field);
      const items = message[field.localName] as readonly unknown[];
      if (items.length === 0) continue;
      let body = 0;
      for (const item of items) {
        body += scalarSize(scalar, item, utf8);
        detached += detachedLength(scalar, item, utf8, detachFrom);
      }
      size += field.packed ? tag + varintSize(body) + body : items.length * tag + body;
    } else {
      const value = presentValue(field, message);
      if (value === undefined) continue;
      const scalar = scalarOf(field);
      size += tag + scalarSize(scalar, value, utf8);
      detached += detachedLength(scalar, value, utf8, detachFrom);
    }
  }
  return { size, detached };
}

/** Writes encoded bytes into one buffer; the subclasses below send them elsewhere through the four primitives. */
class Writer {
  pos = 0;
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    private readonly sizes: ReadonlyMap<object, number>,
    private readonly utf8: Map<string, Uint8Array>,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  message(desc: DescMessage, message: Fields): void {
    for (const field of fieldsOf(desc)) {
      if (field.fieldKind === 'message' || (field.fieldKind === 'list' && field.listKind === 'message')) {
        const children =
          field.fieldKind === 'list'
            ? (message[field.localName] as readonly Fields[])
            : [presentValue(field, message) as Fields | undefined].filter((c): c is Fields => c !== undefined);
        for (const child of children) {
          this.varint(field.number * 8 + WIRE.lengthDelimited);
          this.varint(this.sizes.get(child)!);
          this.message(field.message, child);
        }
      } else if (field.fieldKind === 'list') {
        const scalar = scalarOf(field);
        const items = message[field.localName] as readonly unknown[];
        if (items.length === 0) continue;
        if (field.packed) {
          let body = 0;
          for (const item of items) body += scalarSize(scalar, item, this.utf8);
          this.varint(field.number * 8 + WIRE.lengthDelimited);
          this.varint(body);
          for (const item of items) this.scalar(scalar, item);
        } else {
          for (const item of items) {
            this.varint(field.number * 8 + wireTypeOf(scalar));
            this.scalar(scalar, item);
          }
        }
      } else if (field.fieldKind !== 'map') {
        const value = presentValue(field, message);
        if (value === undefined) continue;
        const scalar = scalarOf(field);
        this.varint(field.number * 8 + wireTypeOf(scalar));
        this.scalar(scalar, value);
      }
    }
  }

  private scalar(scalar: ScalarType, value: unknown): void {
    switch (scalar) {
      case ScalarType.FLOAT:
        return this.fixed(4, value as number);
      case ScalarType.DOUBLE:
        return this.fixed(8, value as number);
      case ScalarType.BOOL:
        return this.byte(value === true ? 1 : 0);
      case ScalarType.INT32:
        return (value as number) < 0 ? this.varint64(BigInt(value as number)) : this.varint(value as number);
      case ScalarType.UINT32:
        return this.varint(value as number);
      case ScalarType.INT64:
      case ScalarType.UINT64:
        return this.varint64(BigInt(value as bigint | string));
      case ScalarType.STRING:
        return this.lengthDelimited(utf8Of(value as string, this.utf8));
      case ScalarType.BYTES:
        return this.lengthDelimited(value as Uint8Array);
      default:
        // FIXED32, SFIXED32, FIXED64, SFIXED64 and the zigzag types: sizeOf has refused them already.
        throw new Error(`encodeCanonical: scalar type ${scalar} is not in onnx.proto`);
    }
  }

  private lengthDelimited(payload: Uint8Array): void {
    this.varint(payload.length);
    this.payload(payload);
  }

  /** A non-negative safe integer as a varint. */
  private varint(value: number): void {
    let v = value;
    while (v >= 0x80) {
      this.byte((v % 128) | 0x80);
      v = Math.floor(v / 128);
    }
    this.byte(v);
  }

  /** A 64-bit value as a varint of its two's complement (a negative one takes ten bytes). */
  private varint64(value: bigint): void {
    let v = BigInt.asUintN(64, value);
    while (v >= 0x80n) {
      this.byte(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.byte(Number(v));
  }

  protected byte(value: number): void {
    this.bytes[this.pos++] = value;
  }

  /** A float (4 bytes) or double (8), little-endian. */
  protected fixed(size: 4 | 8, value: number): void {
    if (size === 4) this.view.setFloat32(this.pos, value, true);
    else this.view.setFloat64(this.pos, value, true);
    this.pos += size;
  }

  protected payload(payload: Uint8Array): void {
    this.bytes.set(payload, this.pos);
    this.pos += payload.length;
  }
}

/** Writes into a buffer of everything but the large bytes fields, which become pieces of their own between. */
class PartsWriter extends Writer {
  private readonly parts: Uint8Array[] = [];
  private pieceStart = 0;

  constructor(
    bytes: Uint8Array,
    sizes: ReadonlyMap<object, number>,
    utf8: Map<string, Uint8Array>,
    private readonly detachFrom: number,
  ) {
    super(bytes, sizes, utf8);
  }

  protected override payload(payload: Uint8Array): void {
    if (payload.length < this.detachFrom) return super.payload(payload);
    if (this.pieceStart < this.pos) this.parts.push(this.bytes.subarray(this.pieceStart, this.pos));
    this.parts.push(payload);
    this.pieceStart = this.pos;
  }

  finish(): Uint8Array[] {
    if (this.pieceStart < this.pos) this.parts.push(this.bytes.subarray(this.pieceStart, this.pos));
    return this.parts;
  }
}

/** Thrown by Matcher at the first byte that differs: nothing is written, and the walk stops there. */
const MISMATCH = Symbol('mismatch');

/** Compares what would be written with the bytes already there. */
class Matcher extends Writer {
  private readonly scratch = new DataView(new ArrayBuffer(8));

  protected override byte(value: number): void {
    if (this.bytes[this.pos++] !== value) throw MISMATCH;
  }

  protected override fixed(size: 4 | 8, value: number): void {
    // Bytes, not values: a NaN's payload and -0 must be the same too.
    if (size === 4) this.scratch.setFloat32(0, value, true);
    else this.scratch.setFloat64(0, value, true);
    for (let i = 0; i < size; i++) this.byte(this.scratch.getUint8(i));
  }

  protected override payload(payload: Uint8Array): void {
    const at = this.bytes.byteOffset + this.pos;
    const inPlace = payload.buffer === this.bytes.buffer && payload.byteOffset === at;
    if (!inPlace) {
      if (this.pos + payload.length > this.bytes.length) throw MISMATCH;
      for (let i = 0; i < payload.length; i++) if (this.bytes[this.pos + i] !== payload[i]) throw MISMATCH;
    }
    this.pos += payload.length;
  }
}
