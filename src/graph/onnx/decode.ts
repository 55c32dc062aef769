import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, type ModelProto } from 'onnx-buf';
import { encodeCanonical, isCanonicalEncoding } from './canonical-encoder.js';

/**
 * nin-sdk's one ONNX codec: decoding is protobuf-es's, encoding the canonical encoder's (canonical-encoder.ts), which
 * writeOnnx uses too.
 *
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

/**
 * encodeOnnx(model) for a model decoded from `original`: `original` itself when it is that encoding already (every
 * model writeOnnx wrote) and the whole of its buffer, compared in place without a copy, else a new encoding. Either
 * way the bytes are exactly the canonical encoding of `model`, so ONNX Runtime acts on the tree that was checked.
 * The caller must not change `original` afterwards (nin-sdk reads every file into a buffer of its own).
 */
export function canonicalOnnxBytes(model: ModelProto, original: Uint8Array): Uint8Array {
  // Only bytes that are their buffer's whole: a worker thread's setup message clones a view's entire buffer.
  const whole = original.byteOffset === 0 && original.byteLength === original.buffer.byteLength;
  return whole && isCanonicalEncoding(ModelProtoSchema, model, original) ? original : encodeOnnx(model);
}
