import { readStringPair, WIRE, WireReader } from './wire-reader.js';

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
const MODEL = {
  irVersion: 1,
  producerName: 2,
  producerVersion: 3,
  docString: 6,
  opsetImport: 8,
  metadataProps: 14,
} as const;

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
