import { create } from '@bufbuild/protobuf';
import {
  AttributeProto_AttributeType,
  AttributeProtoSchema,
  NodeProtoSchema,
  TensorProtoSchema,
  ValueInfoProtoSchema,
  type AttributeProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from 'onnx-buf';
import { DATA_TYPES } from '../dtypes.js';
import { isStaticDim } from '../shape.js';
import type { Attribute, Node, TensorData, Value } from '../types.js';
import { tensorToRawBytes } from './raw-data.js';

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
