/**
 * The IR as protobuf-es messages (onnx-buf's schema), written apart from src/graph/onnx/to-proto.ts: an independent
 * oracle. Tests build models by hand with these, and hold writeOnnx to the bytes that protobuf-es's toBinary gives
 * for the same graph (writeOnnxWithProtobufEs).
 */
import { create, toBinary } from '@bufbuild/protobuf';
import {
  AttributeProto_AttributeType,
  AttributeProtoSchema,
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  TensorProtoSchema,
  ValueInfoProtoSchema,
  type AttributeProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from 'onnx-buf';
import { DATA_TYPES } from '../../src/graph/dtypes.js';
import { isStaticDim } from '../../src/graph/shape.js';
import type { Attribute, Node, TensorData, Value } from '../../src/graph/types.js';
import { tensorToRawBytes } from '../../src/graph/onnx/raw-data.js';
import { DEFAULT_IR_VERSION } from '../../src/graph/opset.js';
import type { Graph } from '../../src/graph/types.js';
import type { WriteOnnxOptions } from '../../src/graph/onnx/write.js';

const utf8 = new TextEncoder();

export function valueInfoToProto(value: Value): ValueInfoProto {
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

/** A TensorProto without its data, for the writer to follow with raw_data it does not copy. */
export function tensorHeaderToProto(name: string, tensor: TensorData): TensorProto {
  return create(TensorProtoSchema, {
    name,
    dataType: DATA_TYPES[tensor.dtype].onnxCode,
    dims: tensor.dims.map((d) => BigInt(d)),
  });
}

/** A complete TensorProto (for small tensors such as Constant values). */
export function tensorToProto(name: string, tensor: TensorData): TensorProto {
  const proto = tensorHeaderToProto(name, tensor);
  proto.rawData = tensorToRawBytes(tensor).slice();
  return proto;
}

export function attributeToProto(name: string, a: Attribute): AttributeProto {
  const T = AttributeProto_AttributeType;
  switch (a.type) {
    case 'int':
      return create(AttributeProtoSchema, { name, type: T.INT, i: BigInt(a.value) });
    case 'float':
      return create(AttributeProtoSchema, { name, type: T.FLOAT, f: a.value });
    case 'ints':
      return create(AttributeProtoSchema, { name, type: T.INTS, ints: a.value.map((v) => BigInt(v)) });
    case 'floats':
      return create(AttributeProtoSchema, { name, type: T.FLOATS, floats: [...a.value] });
    case 'string':
      return create(AttributeProtoSchema, { name, type: T.STRING, s: utf8.encode(a.value) });
    case 'tensor':
      return create(AttributeProtoSchema, { name, type: T.TENSOR, t: tensorToProto('', a.value) });
  }
}

export function nodeToProto(node: Node): NodeProto {
  return create(NodeProtoSchema, {
    name: node.name,
    opType: node.opType,
    input: [...node.inputs],
    output: node.outputs.map((v) => v.name),
    attribute: Object.entries(node.attributes).map(([name, a]) => attributeToProto(name, a)),
  });
}

/**
 * The model writeOnnx should write, built here with protobuf-es's own create() and encoded with its toBinary: an
 * oracle independent of src/graph/onnx/to-proto.ts and of the canonical encoder.
 */
export function writeOnnxWithProtobufEs(graph: Graph, options: WriteOnnxOptions = {}): Uint8Array {
  const nonEmpty = <K extends string>(key: K, value: string | undefined): { [P in K]?: string } =>
    value === undefined || value === '' ? {} : ({ [key]: value } as { [P in K]?: string });
  const outer = new Set(graph.outputs.map((v) => v.name));
  const intermediate = graph.nodes.flatMap((n) => n.outputs).filter((v) => !outer.has(v.name));
  const model = create(ModelProtoSchema, {
    irVersion: BigInt(options.irVersion ?? DEFAULT_IR_VERSION),
    opsetImport: [{ domain: '', version: BigInt(graph.opsetVersion) }],
    producerName: options.producerName ?? 'nin-sdk',
    ...nonEmpty('producerVersion', options.producerVersion),
    ...nonEmpty('docString', options.docString),
    metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: create(GraphProtoSchema, {
      name: graph.name,
      ...nonEmpty('docString', graph.docString),
      node: graph.nodes.map(nodeToProto),
      initializer: graph.initializers.map((init) => tensorToProto(init.name, init.tensor)),
      input: graph.inputs.map(valueInfoToProto),
      output: graph.outputs.map(valueInfoToProto),
      valueInfo: options.valueInfo === true ? intermediate.map(valueInfoToProto) : [],
    }),
  });
  return toBinary(ModelProtoSchema, model);
}
