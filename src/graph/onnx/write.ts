import { create, toBinary } from '@bufbuild/protobuf';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { GraphProtoSchema, ModelProtoSchema, TensorProtoSchema } from 'onnx-buf';
import type { Graph } from '../types.js';
import { validateGraph } from '../validate.js';
import { tensorHeaderToProto, nodeToProto, valueInfoToProto } from './to-proto.js';
import { tensorToRawBytes } from './raw-data.js';
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

// Field numbers from onnx.proto, for the parts the writer frames itself.
const MODEL_GRAPH_FIELD = 7;
const GRAPH_INITIALIZER_FIELD = 5;
const TENSOR_RAW_DATA_FIELD = 9;
const MAX_PROTOBUF_BYTES = 2 ** 31 - 1;

/**
 * Serializes a graph as an ONNX model.
 *
 * Weights are the bulk of a model, and `toBinary` on the whole ModelProto
 * would copy each one several times (into the writer's growing buffer, on
 * each regrowth, and out again). Instead everything but the weights goes
 * through `toBinary`, and each weight's raw_data is framed with the library's
 * own BinaryWriter (tag and length) and copied once, straight into the output.
 * Protobuf allows a message's fields in any order, so the bytes decode to the
 * same ModelProto.
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

  const parts: Uint8Array[] = [];
  const model = create(ModelProtoSchema, {
    irVersion: BigInt(options.irVersion ?? DEFAULT_IR_VERSION),
    opsetImport: [{ domain: '', version: BigInt(opsetVersion) }],
    producerName: options.producerName ?? 'nin-sdk',
    ...nonEmpty('producerVersion', options.producerVersion),
    ...nonEmpty('docString', options.docString),
    metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
  });
  parts.push(toBinary(ModelProtoSchema, model));

  const graphParts: Uint8Array[] = [];
  const graphProto = create(GraphProtoSchema, {
    name: graph.name,
    ...nonEmpty('docString', graph.docString),
    node: graph.nodes.map(nodeToProto),
    input: graph.inputs.map(valueInfoToProto),
    output: graph.outputs.map(valueInfoToProto),
    valueInfo: options.valueInfo === true ? intermediateValues(graph).map(valueInfoToProto) : [],
  });
  graphParts.push(toBinary(GraphProtoSchema, graphProto));
  for (const init of graph.initializers) {
    const header = toBinary(TensorProtoSchema, tensorHeaderToProto(init.name, init.tensor));
    const raw = tensorToRawBytes(init.tensor);
    const rawFrame = frame(TENSOR_RAW_DATA_FIELD, raw.byteLength);
    graphParts.push(
      frame(GRAPH_INITIALIZER_FIELD, header.byteLength + rawFrame.byteLength + raw.byteLength),
      header,
      rawFrame,
      raw,
    );
  }
  parts.push(frame(MODEL_GRAPH_FIELD, totalLength(graphParts)), ...graphParts);
  checkSize(totalLength(parts));
  return parts;
}

/** ONNX's string fields are proto2 optionals: an empty one is left out rather than written as "". */
function nonEmpty<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return value === undefined || value === '' ? {} : ({ [key]: value } as { [P in K]?: string });
}

/** Tag and length of a length-delimited field, encoded by the protobuf library. */
function frame(fieldNo: number, length: number): Uint8Array {
  if (length > MAX_PROTOBUF_BYTES) {
    throw new Error(
      `writeOnnx: a field of ${length} bytes exceeds protobuf's 2 GiB limit (external data is not supported)`,
    );
  }
  return new BinaryWriter().tag(fieldNo, WireType.LengthDelimited).uint32(length).finish();
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
