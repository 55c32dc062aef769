import { ModelProtoSchema } from 'onnx-buf';
import type { Graph } from '../types.js';
import { validateGraph } from '../validate.js';
import { encodeCanonicalParts } from './canonical-encoder.js';
import { graphToModelProto, type ModelHeader } from './to-proto.js';

export interface WriteOnnxOptions extends ModelHeader {
  /** Default and only accepted value: the graph's own `opsetVersion` (kept so callers may state it; checked). */
  readonly opsetVersion?: number;
}

const MAX_PROTOBUF_BYTES = 2 ** 31 - 1;
/** raw_data of this many bytes or more is a piece of its own in writeOnnxParts, the tensor's memory as it is. */
const WEIGHT_PIECE_BYTES = 4096;

/**
 * Serializes a graph as an ONNX model: the canonical encoding of its ModelProto (to-proto.ts), the same bytes as
 * protobuf-es's toBinary, written by the one encoder (canonical-encoder.ts) that checkModel also uses. Since the
 * bytes are canonical, checkModel hands a model that nin-sdk wrote to ONNX Runtime as it is, after comparing it in
 * place, instead of encoding it again.
 */
export function writeOnnx(graph: Graph, options: WriteOnnxOptions = {}): Uint8Array {
  return joinOnnxParts(writeOnnxParts(graph, options));
}

/**
 * The same bytes as writeOnnx, as the consecutive pieces they are made of, the weights' pieces being views of the
 * graph's own tensors: a caller that writes them to a file one after the other (a gathered write) never holds a
 * second copy of the weights.
 */
export function writeOnnxParts(graph: Graph, options: WriteOnnxOptions = {}): Uint8Array[] {
  const { opsetVersion } = graph;
  if (options.opsetVersion !== undefined && options.opsetVersion !== opsetVersion) {
    throw new Error(`writeOnnx: the graph is built for opset ${opsetVersion}, not ${options.opsetVersion}`);
  }
  validateGraph(graph);
  for (const { tensor } of graph.initializers) checkedLength(tensor.data.byteLength);
  const parts = encodeCanonicalParts(ModelProtoSchema, graphToModelProto(graph, options), WEIGHT_PIECE_BYTES);
  checkSize(totalLength(parts));
  return parts;
}

function checkedLength(length: number): number {
  if (length > MAX_PROTOBUF_BYTES) {
    throw new Error(
      `writeOnnx: a field of ${length} bytes exceeds protobuf's 2 GiB limit (external data is not supported)`,
    );
  }
  return length;
}

function totalLength(parts: readonly Uint8Array[]): number {
  return parts.reduce((sum, p) => sum + p.byteLength, 0);
}

function checkSize(total: number): void {
  if (total > MAX_PROTOBUF_BYTES)
    throw new Error(`writeOnnx: the model is ${total} bytes, over protobuf's 2 GiB limit`);
}

/** writeOnnxParts' pieces joined into the model's bytes. */
export function joinOnnxParts(parts: readonly Uint8Array[]): Uint8Array {
  const total = totalLength(parts);
  checkSize(total);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}
