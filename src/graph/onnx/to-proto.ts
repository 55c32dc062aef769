import { create } from '@bufbuild/protobuf';
import {
  AttributeProto_AttributeType,
  AttributeProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  TensorProtoSchema,
  ValueInfoProtoSchema,
  type AttributeProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from 'onnx-buf';
import { DATA_TYPES } from '../dtypes.js';
import { DEFAULT_IR_VERSION } from '../opset.js';
import { isStaticDim } from '../shape.js';
import type { Attribute, Graph, Node, TensorData, Value } from '../types.js';
import { tensorToRawBytes } from './raw-data.js';

/** The model-level fields writeOnnx takes besides the graph. */
export interface ModelHeader {
  /** Default 8. */
  readonly irVersion?: number;
  /** Default 'nin-sdk'. */
  readonly producerName?: string;
  readonly producerVersion?: string;
  /** Written as the model's metadata_props, in this order. */
  readonly metadata?: Readonly<Record<string, string>>;
  readonly docString?: string;
  /** Also write value_info for every intermediate value (shapes for tools such as Netron). Default false. */
  readonly valueInfo?: boolean;
}

const FLOAT32_MAX = 3.4028234663852886e38;
const UTF8 = new TextEncoder();

/**
 * The IR as an ONNX ModelProto (protobuf-es messages over onnx-buf's schema), the inverse of from-proto.ts. Weights'
 * raw_data are views of the graph's own tensors (on little-endian hosts), not copies: the encoder writes each once.
 * ONNX's string fields are proto2 optionals: an empty doc string or producer version is left out, not set to "".
 */
export function graphToModelProto(graph: Graph, header: ModelHeader = {}): ModelProto {
  const outer = new Set(graph.outputs.map((v) => v.name));
  const intermediate = graph.nodes.flatMap((n) => n.outputs).filter((v) => !outer.has(v.name));
  return create(ModelProtoSchema, {
    irVersion: BigInt(header.irVersion ?? DEFAULT_IR_VERSION),
    producerName: header.producerName ?? 'nin-sdk',
    ...nonEmpty('producerVersion', header.producerVersion),
    ...nonEmpty('docString', header.docString),
    opsetImport: [{ domain: '', version: BigInt(graph.opsetVersion) }],
    metadataProps: Object.entries(header.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: graph.name,
      ...nonEmpty('docString', graph.docString),
      node: graph.nodes.map(nodeToProto),
      initializer: graph.initializers.map((init) => tensorToProto(init.name, init.tensor)),
      input: graph.inputs.map(valueInfoToProto),
      output: graph.outputs.map(valueInfoToProto),
      valueInfo: header.valueInfo === true ? intermediate.map(valueInfoToProto) : [],
    },
  });
}

function nonEmpty<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return value === undefined || value === '' ? {} : ({ [key]: value } as { [P in K]?: string });
}

/** ValueInfoProto of a tensor: name, element type and shape, symbolic dims as dim_param. */
function valueInfoToProto(value: Value): ValueInfoProto {
  return create(ValueInfoProtoSchema, {
    name: value.name,
    type: {
      value: {
        case: 'tensorType',
        value: {
          elemType: DATA_TYPES[value.dtype].onnxCode,
          shape: {
            dim: value.shape.map((d) => ({
              value: isStaticDim(d)
                ? { case: 'dimValue' as const, value: BigInt(d) }
                : { case: 'dimParam' as const, value: d },
            })),
          },
        },
      },
    },
  });
}

/** A TensorProto with raw_data (dims, data_type, name, raw_data). */
function tensorToProto(name: string, tensor: TensorData): TensorProto {
  return create(TensorProtoSchema, {
    dims: tensor.dims.map((d) => BigInt(d)),
    dataType: DATA_TYPES[tensor.dtype].onnxCode,
    name,
    // Only read (encoded into the output), so a view of any buffer will do.
    rawData: tensorToRawBytes(tensor) as Uint8Array<ArrayBuffer>,
  });
}

/** A float attribute as protobuf writes it (float32): a finite value beyond its range is an error, not Infinity. */
function float32(value: number): number {
  if (Number.isFinite(value) && !Number.isFinite(Math.fround(value)))
    throw new RangeError(`writeOnnx: ${value} is beyond float32's range (±${FLOAT32_MAX})`);
  return value;
}

function attributeToProto(name: string, a: Attribute): AttributeProto {
  const T = AttributeProto_AttributeType;
  switch (a.type) {
    case 'int':
      return create(AttributeProtoSchema, { name, type: T.INT, i: BigInt(a.value) });
    case 'float':
      return create(AttributeProtoSchema, { name, type: T.FLOAT, f: float32(a.value) });
    case 'ints':
      return create(AttributeProtoSchema, { name, type: T.INTS, ints: a.value.map((v) => BigInt(v)) });
    case 'floats':
      return create(AttributeProtoSchema, { name, type: T.FLOATS, floats: a.value.map(float32) });
    case 'string':
      return create(AttributeProtoSchema, { name, type: T.STRING, s: UTF8.encode(a.value) });
    case 'tensor':
      return create(AttributeProtoSchema, { name, type: T.TENSOR, t: tensorToProto('', a.value) });
  }
}

/** NodeProto in the default domain (the IR has only ONNX's own ops). */
function nodeToProto(node: Node): NodeProto {
  return create(NodeProtoSchema, {
    input: [...node.inputs],
    output: node.outputs.map((v) => v.name),
    name: node.name,
    opType: node.opType,
    attribute: Object.entries(node.attributes).map(([name, a]) => attributeToProto(name, a)),
  });
}
