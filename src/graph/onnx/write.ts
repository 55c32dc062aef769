import type { Graph } from '../types.js';
import { validateGraph } from '../validate.js';
import {
  GRAPH,
  MODEL,
  TENSOR,
  writeNode,
  writeOpset,
  writeStringPair,
  writeTensorHeader,
  writeValueInfo,
} from './encode-messages.js';
import { tensorToRawBytes } from './raw-data.js';
import { WireWriter } from './wire-writer.js';
import { DEFAULT_IR_VERSION } from '../opset.js';

export interface WriteOnnxOptions {
  /** Default and only accepted value: the graph's own `opsetVersion` (kept so callers may state it; checked). */
  readonly opsetVersion?: number;
  /** Default 8. */
  readonly irVersion?: number;
  readonly producerName?: string;
  readonly producerVersion?: string;
  /** Written as the model's metadata_props, in this order. */
  readonly metadata?: Readonly<Record<string, string>>;
  readonly docString?: string;
  /** Also write value_info for every intermediate value (shapes for tools such as Netron). Default false. */
  readonly valueInfo?: boolean;
}

const MAX_PROTOBUF_BYTES = 2 ** 31 - 1;

/**
 * Serializes a graph as an ONNX model.
 *
 * Weights are the bulk of a model: each weight's raw_data is framed (tag and length) and left where it is, to be
 * copied once, straight into the output. Everything around the weights is written with the project's own wire
 * writer (wire-writer.ts), which keeps the protobuf runtime out of the converter. The model's header comes first and
 * the graph after it, the graph's initializers after its other fields: protobuf allows a message's fields in any
 * order, and ONNX's own tools read them so.
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

  const header = new WireWriter()
    .varint(MODEL.irVersion, options.irVersion ?? DEFAULT_IR_VERSION)
    .string(MODEL.producerName, options.producerName ?? 'nin-sdk');
  // ONNX's string fields are proto2 optionals: an empty one is left out rather than written as "".
  if (nonEmpty(options.producerVersion)) header.string(MODEL.producerVersion, options.producerVersion);
  if (nonEmpty(options.docString)) header.string(MODEL.docString, options.docString);
  header.message(MODEL.opsetImport, (opset) => writeOpset(opset, '', opsetVersion));
  for (const [key, value] of Object.entries(options.metadata ?? {})) {
    header.message(MODEL.metadataProps, (pair) => writeStringPair(pair, key, value));
  }

  const body = new WireWriter();
  for (const node of graph.nodes) body.message(GRAPH.node, (w) => writeNode(w, node));
  body.string(GRAPH.name, graph.name);
  if (nonEmpty(graph.docString)) body.string(GRAPH.docString, graph.docString);
  for (const value of graph.inputs) body.message(GRAPH.input, (w) => writeValueInfo(w, value));
  for (const value of graph.outputs) body.message(GRAPH.output, (w) => writeValueInfo(w, value));
  if (options.valueInfo === true) {
    for (const value of intermediateValues(graph)) body.message(GRAPH.valueInfo, (w) => writeValueInfo(w, value));
  }
  const graphParts: Uint8Array[] = [body.finish()];
  for (const init of graph.initializers) {
    const tensorHeader = new WireWriter();
    writeTensorHeader(tensorHeader, init.name, init.tensor);
    const raw = tensorToRawBytes(init.tensor);
    const headerBytes = tensorHeader.frame(TENSOR.rawData, checkedLength(raw.byteLength)).finish();
    graphParts.push(frame(GRAPH.initializer, headerBytes.byteLength + raw.byteLength), headerBytes, raw);
  }
  const parts = [header.finish(), frame(MODEL.graph, totalLength(graphParts)), ...graphParts];
  checkSize(totalLength(parts));
  return parts;
}

function nonEmpty(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}

/** Tag and length of a length-delimited field whose contents are separate pieces. */
function frame(fieldNo: number, length: number): Uint8Array {
  return new WireWriter().frame(fieldNo, checkedLength(length)).finish();
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

function intermediateValues(graph: Graph) {
  const outer = new Set(graph.outputs.map((v) => v.name));
  return graph.nodes.flatMap((n) => n.outputs).filter((v) => !outer.has(v.name));
}
