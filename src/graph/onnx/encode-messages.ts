import { DATA_TYPES } from '../dtypes.js';
import { isStaticDim } from '../shape.js';
import type { Attribute, Node, TensorData, Value } from '../types.js';
import { tensorToRawBytes } from './raw-data.js';
import type { WireWriter } from './wire-writer.js';

/**
 * The IR's parts as ONNX messages in protobuf wire format. Field numbers are onnx.proto's; within a message the
 * fields go in field-number order, as protobuf-es's toBinary writes them (the writer before this one: the bytes
 * are the same, test/graph/onnx-wire-writer.test.ts holds them to it).
 */
export const MODEL = {
  irVersion: 1,
  producerName: 2,
  producerVersion: 3,
  docString: 6,
  graph: 7,
  opsetImport: 8,
  metadataProps: 14,
} as const;
export const GRAPH = { node: 1, name: 2, initializer: 5, docString: 10, input: 11, output: 12, valueInfo: 13 } as const;
export const TENSOR = { dims: 1, dataType: 2, name: 8, rawData: 9 } as const;
const NODE = { input: 1, output: 2, name: 3, opType: 4, attribute: 5 } as const;
const ATTRIBUTE = { name: 1, f: 2, i: 3, s: 4, t: 5, floats: 7, ints: 8, type: 20 } as const;
/** AttributeProto.AttributeType. */
const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;
const VALUE_INFO = { name: 1, type: 2 } as const;
const TYPE = { tensorType: 1 } as const;
const TENSOR_TYPE = { elemType: 1, shape: 2 } as const;
const SHAPE = { dim: 1 } as const;
const DIMENSION = { dimValue: 1, dimParam: 2 } as const;
const OPSET = { domain: 1, version: 2 } as const;
const STRING_PAIR = { key: 1, value: 2 } as const;

/** OperatorSetIdProto; the default domain is written as an empty string, not left out. */
export function writeOpset(writer: WireWriter, domain: string, version: number): void {
  writer.string(OPSET.domain, domain).varint(OPSET.version, version);
}

/** StringStringEntryProto (metadata_props). */
export function writeStringPair(writer: WireWriter, key: string, value: string): void {
  writer.string(STRING_PAIR.key, key).string(STRING_PAIR.value, value);
}

/** ValueInfoProto of a tensor: name, element type and shape, symbolic dims as dim_param. */
export function writeValueInfo(writer: WireWriter, value: Value): void {
  writer.string(VALUE_INFO.name, value.name);
  writer.message(VALUE_INFO.type, (type) =>
    type.message(TYPE.tensorType, (tensorType) => {
      tensorType.varint(TENSOR_TYPE.elemType, DATA_TYPES[value.dtype].onnxCode);
      tensorType.message(TENSOR_TYPE.shape, (shape) => {
        for (const d of value.shape) {
          shape.message(SHAPE.dim, (dim) =>
            isStaticDim(d) ? dim.varint(DIMENSION.dimValue, d) : dim.string(DIMENSION.dimParam, d),
          );
        }
      });
    }),
  );
}

/** A TensorProto's fields before raw_data (dims, data_type, name): the writer follows them with the weights. */
export function writeTensorHeader(writer: WireWriter, name: string, tensor: TensorData): void {
  for (const d of tensor.dims) writer.varint(TENSOR.dims, d);
  writer.varint(TENSOR.dataType, DATA_TYPES[tensor.dtype].onnxCode).string(TENSOR.name, name);
}

/** A complete TensorProto, for small tensors such as Constant values. */
function writeTensor(writer: WireWriter, name: string, tensor: TensorData): void {
  writeTensorHeader(writer, name, tensor);
  writer.bytes(TENSOR.rawData, tensorToRawBytes(tensor));
}

function writeAttribute(writer: WireWriter, name: string, a: Attribute): void {
  writer.string(ATTRIBUTE.name, name);
  switch (a.type) {
    case 'int':
      writer.varint(ATTRIBUTE.i, a.value);
      break;
    case 'float':
      writer.float(ATTRIBUTE.f, a.value);
      break;
    case 'ints':
      for (const v of a.value) writer.varint(ATTRIBUTE.ints, v);
      break;
    case 'floats':
      for (const v of a.value) writer.float(ATTRIBUTE.floats, v);
      break;
    case 'string':
      writer.string(ATTRIBUTE.s, a.value);
      break;
    case 'tensor':
      writer.message(ATTRIBUTE.t, (t) => writeTensor(t, '', a.value));
      break;
  }
  writer.varint(ATTRIBUTE.type, ATTRIBUTE_TYPE[a.type]);
}

/** NodeProto in the default domain (the IR has only ONNX's own ops). */
export function writeNode(writer: WireWriter, node: Node): void {
  for (const input of node.inputs) writer.string(NODE.input, input);
  for (const output of node.outputs) writer.string(NODE.output, output.name);
  writer.string(NODE.name, node.name).string(NODE.opType, node.opType);
  for (const [name, a] of Object.entries(node.attributes)) {
    writer.message(NODE.attribute, (attribute) => writeAttribute(attribute, name, a));
  }
}
