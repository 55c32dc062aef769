import { ScalarType, type DescField, type DescMessage } from '@bufbuild/protobuf';

/**
 * protobuf-es's toBinary, byte for byte (fields in field-number order, proto2 presence, packed lists as declared,
 * no unknown fields), written in two passes: every message's size first, then the bytes into one buffer of exactly
 * the model's size. toBinary grows its buffer by doubling, copies a nested message's bytes again when its length
 * prefix needs more than a byte, and copies the whole once more at the end: on a 3.9 MB model that cost 20–40 ms of
 * CPU here, against a few for this. Tests hold the two to the same bytes (test/graph/canonical-encoder.test.ts and
 * every passing case of test/security/onnx-wire-fuzz.test.ts).
 *
 * Covers the field kinds onnx.proto has (no maps, no groups); any other throws rather than writing bytes that
 * toBinary would not.
 */
export function encodeCanonical(desc: DescMessage, message: object): Uint8Array {
  const sizes = new Map<object, number>();
  const utf8 = new Map<string, Uint8Array>();
  const total = sizeOf(desc, message as Fields, sizes, utf8);
  const out = new Writer(new Uint8Array(total), sizes, utf8);
  out.message(desc, message as Fields);
  if (out.pos !== total) throw new Error(`encodeCanonical: wrote ${out.pos} bytes of ${total}`);
  return out.bytes;
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

function sizeOf(desc: DescMessage, message: Fields, sizes: Map<object, number>, utf8: Map<string, Uint8Array>): number {
  let size = 0;
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
        const childSize = sizeOf(field.message, child, sizes, utf8);
        sizes.set(child, childSize);
        size += tag + varintSize(childSize) + childSize;
      }
    } else if (field.fieldKind === 'list') {
      const scalar = scalarOf(field);
      const items = message[field.localName] as readonly unknown[];
      if (items.length === 0) continue;
      let body = 0;
      for (const item of items) body += scalarSize(scalar, item, utf8);
      size += field.packed ? tag + varintSize(body) + body : items.length * tag + body;
    } else {
      const value = presentValue(field, message);
      if (value !== undefined) size += tag + scalarSize(scalarOf(field), value, utf8);
    }
  }
  return size;
}

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
        this.view.setFloat32(this.pos, value as number, true);
        this.pos += 4;
        return;
      case ScalarType.DOUBLE:
        this.view.setFloat64(this.pos, value as number, true);
        this.pos += 8;
        return;
      case ScalarType.BOOL:
        this.bytes[this.pos++] = value === true ? 1 : 0;
        return;
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
    this.bytes.set(payload, this.pos);
    this.pos += payload.length;
  }

  /** A non-negative safe integer as a varint. */
  private varint(value: number): void {
    let v = value;
    while (v >= 0x80) {
      this.bytes[this.pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.bytes[this.pos++] = v;
  }

  /** A 64-bit value as a varint of its two's complement (a negative one takes ten bytes). */
  private varint64(value: bigint): void {
    let v = BigInt.asUintN(64, value);
    while (v >= 0x80n) {
      this.bytes[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.bytes[this.pos++] = Number(v);
  }
}
