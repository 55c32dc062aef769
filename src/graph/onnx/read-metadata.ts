/** Everything about a model except its graph. */
export interface OnnxModelInfo {
  /** The default-domain (ai.onnx) opset. */
  readonly opsetVersion: number;
  readonly irVersion: number;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly docString: string;
  /** metadata_props; ONNX Runtime's JavaScript API does not expose these. */
  readonly metadata: Readonly<Record<string, string>>;
}

/** ModelProto's field numbers (onnx.proto3) that the header needs; the graph (7) is skipped unread. */
const MODEL = { irVersion: 1, producerName: 2, producerVersion: 3, docString: 6, opsetImport: 8, metadataProps: 14 } as const;
const WIRE = { varint: 0, fixed64: 1, lengthDelimited: 2, fixed32: 5 } as const;

/**
 * The header of an ONNX model (ir_version, producer, doc string, opsets, metadata_props) read straight from the
 * protobuf wire format, skipping the graph and its weights without decoding them. Kept free of the protobuf
 * runtime on purpose: classifying an image needs only this, and loading @bufbuild/protobuf's modules costs more
 * start-up time than the whole read.
 */
export function readOnnxMetadata(bytes: Uint8Array): OnnxModelInfo {
  let irVersion = 0;
  let producerName = '';
  let producerVersion = '';
  let docString = '';
  let opsetVersion: number | undefined;
  const metadata: Record<string, string> = {};
  try {
    const reader = new WireReader(bytes, 0, bytes.length);
    while (!reader.done()) {
      const [field, wireType] = reader.tag();
      if (field === MODEL.irVersion && wireType === WIRE.varint) irVersion = reader.uint();
      else if (field === MODEL.producerName && wireType === WIRE.lengthDelimited) producerName = reader.string();
      else if (field === MODEL.producerVersion && wireType === WIRE.lengthDelimited) producerVersion = reader.string();
      else if (field === MODEL.docString && wireType === WIRE.lengthDelimited) docString = reader.string();
      else if (field === MODEL.opsetImport && wireType === WIRE.lengthDelimited) {
        const [domain, version] = reader.message(readOpset);
        if (domain === '' || domain === 'ai.onnx') opsetVersion ??= version;
      } else if (field === MODEL.metadataProps && wireType === WIRE.lengthDelimited) {
        const [key, value] = reader.message(readStringPair);
        // defineProperty, so that a key such as "__proto__" is data, not a prototype change.
        Object.defineProperty(metadata, key, { value, enumerable: true, writable: true, configurable: true });
      } else reader.skip(wireType);
    }
  } catch (error) {
    throw new Error(`readOnnxMetadata: not a valid ONNX model (${(error as Error).message})`);
  }
  if (opsetVersion === undefined) throw new Error('readOnnx: the model imports no ai.onnx opset');
  return { opsetVersion, irVersion, producerName, producerVersion, docString, metadata };
}

/** OperatorSetIdProto: domain (1), version (2). */
function readOpset(reader: WireReader): [string, number] {
  let domain = '';
  let version = 0;
  while (!reader.done()) {
    const [field, wireType] = reader.tag();
    if (field === 1 && wireType === WIRE.lengthDelimited) domain = reader.string();
    else if (field === 2 && wireType === WIRE.varint) version = reader.uint();
    else reader.skip(wireType);
  }
  return [domain, version];
}

/** StringStringEntryProto: key (1), value (2). */
function readStringPair(reader: WireReader): [string, string] {
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

const UTF8 = new TextDecoder();

/** A cursor over [pos, end) of protobuf wire-format bytes; every read is bounds-checked. */
class WireReader {
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
    if (wireType === WIRE.varint) this.uint();
    else if (wireType === WIRE.lengthDelimited) this.advance(this.length()); // not `pos += length()`: that adds to the old pos
    else if (wireType === WIRE.fixed64) this.advance(8);
    else if (wireType === WIRE.fixed32) this.advance(4);
    else throw new Error(`unsupported wire type ${wireType} at byte ${this.pos}`);
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
