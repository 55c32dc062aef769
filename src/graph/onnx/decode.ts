import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, type ModelProto } from 'onnx-buf';
import { encodeCanonical } from './canonical-encoder.js';

/**
 * Decodes ONNX bytes with protobuf's own semantics (protobuf-es over onnx-buf's schema): tags as uint32 (a longer
 * one is refused), a singular message field given twice merged into one, packed and unpacked repeated scalars both
 * read. Unknown fields are dropped rather than kept: nothing downstream looks at them, and encodeOnnx must not write
 * back what no check has seen. Throws protobuf-es's error on bytes that are not a ModelProto.
 */
export function decodeOnnx(bytes: Uint8Array): ModelProto {
  return fromBinary(ModelProtoSchema, bytes, { readUnknownFields: false });
}

/**
 * The canonical encoding of a decoded model: each field once, with its shortest tag, no unknown fields; the bytes
 * of protobuf-es's `toBinary(ModelProtoSchema, model, { writeUnknownFields: false })`, written in one buffer
 * (canonical-encoder.ts). Any protobuf parser reads these bytes as the tree they were written from, which is what
 * lets a check of the decoded model stand for what ONNX Runtime will load.
 */
export function encodeOnnx(model: ModelProto): Uint8Array {
  return encodeCanonical(ModelProtoSchema, model);
}
