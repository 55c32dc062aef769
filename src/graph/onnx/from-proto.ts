import {
  AttributeProto_AttributeType,
  TensorProto_DataLocation,
  type AttributeProto,
  type TensorProto,
  type ValueInfoProto,
} from 'onnx-buf';
import { DATA_TYPES, dataTypeFromOnnxCode } from '../dtypes.js';
import { elementCount, tensorData } from '../tensor-data.js';
import type { Attribute, DataType, Dim, TensorData, Value } from '../types.js';
import { tensorFromRawBytes } from './raw-data.js';

const utf8 = new TextDecoder();

/** A bigint from the file as a number, refusing what a double cannot hold exactly. */
export function toSafeNumber(v: bigint, what: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new Error(`readOnnx: ${what} is ${v}, too large for this IR`);
  return n;
}

export function dataTypeFromProto(code: number, what: string): DataType {
  const dtype = dataTypeFromOnnxCode(code);
  if (dtype === undefined)
    throw new Error(`readOnnx: ${what} has ONNX data type ${code}, which this IR does not support`);
  return dtype;
}

export function valueFromProto(info: ValueInfoProto): Value {
  const type = info.type?.value;
  if (type?.case !== 'tensorType') throw new Error(`readOnnx: value ${info.name} is not a tensor`);
  const dtype = dataTypeFromProto(type.value.elemType, `value ${info.name}`);
  const dims = type.value.shape?.dim;
  if (dims === undefined) throw new Error(`readOnnx: value ${info.name} has no shape`);
  const shape = dims.map((d, i): Dim => {
    if (d.value.case === 'dimValue') return toSafeNumber(d.value.value, `a dim of ${info.name}`);
    if (d.value.case === 'dimParam' && d.value.value !== '') return d.value.value;
    return `${info.name}_d${i}`;
  });
  return { name: info.name, dtype, shape };
}

/** Tensor contents from raw_data or from the typed repeated fields, as other writers use both. */
export function tensorFromProto(proto: TensorProto, what: string): TensorData {
  if (proto.dataLocation === TensorProto_DataLocation.EXTERNAL) {
    throw new Error(`readOnnx: ${what} keeps its data in an external file, which this reader does not support`);
  }
  const dtype = dataTypeFromProto(proto.dataType, what);
  const dims = proto.dims.map((d) => toSafeNumber(d, `a dim of ${what}`));
  const count = elementCount(dims);
  if (proto.rawData.byteLength > 0 || count === 0)
    return tensorFromRawBytes(dtype, dims, proto.rawData, `readOnnx: ${what}`);

  const data = DATA_TYPES[dtype].allocate(count);
  const source: readonly (number | bigint)[] =
    dtype === 'float32' ? proto.floatData : dtype === 'int64' ? proto.int64Data : proto.int32Data; // int32, int8, uint8, bool and float16 bits
  if (source.length !== count) {
    throw new Error(`readOnnx: ${what} is ${dtype}[${dims.join(',')}] but holds ${source.length} values`);
  }
  if (data instanceof BigInt64Array) source.forEach((v, i) => (data[i] = BigInt(v)));
  else source.forEach((v, i) => (data[i] = Number(v)));
  return tensorData(dtype, dims, data);
}

export function attributeFromProto(proto: AttributeProto, what: string): Attribute {
  const T = AttributeProto_AttributeType;
  switch (proto.type) {
    case T.INT:
      return { type: 'int', value: toSafeNumber(proto.i, what) };
    case T.FLOAT:
      return { type: 'float', value: proto.f };
    case T.INTS:
      return { type: 'ints', value: proto.ints.map((v) => toSafeNumber(v, what)) };
    case T.FLOATS:
      return { type: 'floats', value: [...proto.floats] };
    case T.STRING:
      return { type: 'string', value: utf8.decode(proto.s) };
    case T.TENSOR:
      if (proto.t === undefined) throw new Error(`readOnnx: ${what} is a tensor attribute without a tensor`);
      return { type: 'tensor', value: tensorFromProto(proto.t, what) };
    default:
      throw new Error(`readOnnx: ${what} has type ${T[proto.type] ?? proto.type}, which this IR does not support`);
  }
}
