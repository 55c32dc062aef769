/**
 * An independent reader of ONNX bytes for the differential fuzz test: what a protobuf parser makes of the fields
 * that decide a model's safety (external data, operators, initializers, outputs), written from protobuf's rules,
 * not from protobuf-es's code. Two ways to read a tag:
 * - 'cpp', as protobuf's C++ parser (ONNX Runtime's, protoc's) reads it: at most five bytes, the low 32 bits kept,
 *   so a five-byte tag of 2^32 + t is tag t; a singular message given twice is merged (the same as parsing its
 *   payloads one after the other); a field of an unexpected wire type is an unknown field; a closed enum's unknown
 *   value leaves the field as it was.
 * - 'whole', as the hand-written wire reader that nin-sdk had before the one decoding: the whole varint, so that
 *   2^32 + t is another field, which it skipped. Kept to show that the test catches what that reader let through.
 * A reading that fails means the parser refuses the bytes: ONNX Runtime then loads nothing.
 */
import {
  TensorProto_DataLocation,
  type AttributeProto,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type SparseTensorProto,
  type TensorProto,
} from 'onnx-buf';

export type TagSemantics = 'cpp' | 'whole';

/** The safety-relevant content of a model, in a form two readers' results can be compared in. */
export interface ModelView {
  /** `domain:op_type` of every node at any depth (graph, subgraphs, functions), sorted. */
  readonly operators: readonly string[];
  /** `name@location` of every tensor that refers to external data, anywhere, sorted. */
  readonly external: readonly string[];
  /** The main graph's initializer names, sorted. */
  readonly initializers: readonly string[];
  /** The main graph's output names, sorted. */
  readonly outputs: readonly string[];
}

type MessageType =
  | 'Model'
  | 'Graph'
  | 'Node'
  | 'Attribute'
  | 'Tensor'
  | 'Sparse'
  | 'TrainingInfo'
  | 'Function'
  | 'ValueInfo'
  | 'StringPair';

/** The message-typed fields that lead to a tensor or a node, per message (onnx.proto's field numbers). */
export const MESSAGE_FIELDS: Readonly<Record<MessageType, Readonly<Record<number, MessageType>>>> = {
  Model: { 7: 'Graph', 20: 'TrainingInfo', 25: 'Function' },
  Graph: { 1: 'Node', 5: 'Tensor', 15: 'Sparse', 12: 'ValueInfo' },
  Node: { 5: 'Attribute' },
  Attribute: { 5: 'Tensor', 6: 'Graph', 10: 'Tensor', 11: 'Graph', 22: 'Sparse', 23: 'Sparse' },
  Tensor: { 13: 'StringPair' },
  Sparse: { 1: 'Tensor', 2: 'Tensor' },
  TrainingInfo: { 1: 'Graph', 2: 'Graph' },
  Function: { 7: 'Node', 11: 'Attribute' },
  ValueInfo: {},
  StringPair: {},
};

/** Singular message fields: every occurrence is merged into one message. */
const SINGULAR: Readonly<Partial<Record<MessageType, ReadonlySet<number>>>> = {
  Model: new Set([7]),
  Attribute: new Set([5, 6, 22]),
  Sparse: new Set([1, 2]),
  TrainingInfo: new Set([1, 2]),
};

/** Singular string fields the view reads (the last occurrence wins). */
const STRINGS: Readonly<Partial<Record<MessageType, Readonly<Record<number, string>>>>> = {
  Node: { 4: 'opType', 7: 'domain' },
  Tensor: { 8: 'name' },
  ValueInfo: { 1: 'name' },
  StringPair: { 1: 'key', 2: 'value' },
};

/** TensorProto.data_location: a closed enum of DEFAULT (0) and EXTERNAL (1). */
const DATA_LOCATION = 14;
const MAX_DEPTH = 100;

/** A decoded message: its strings, its data_location, and its message fields' occurrences' payloads. */
interface Decoded {
  readonly strings: Map<string, Uint8Array>;
  dataLocation: number;
  readonly messages: Map<number, Uint8Array[]>;
}

class Cursor {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    start: number,
    readonly end: number,
    readonly tags: TagSemantics,
  ) {
    this.pos = start;
  }

  byte(): number {
    if (this.pos >= this.end) throw new Error('premature end');
    return this.bytes[this.pos++]!;
  }

  /** A varint of up to `maxBytes` bytes, as a bigint of all its bits. */
  varint(maxBytes: number): { value: bigint; size: number } {
    let value = 0n;
    for (let i = 0; i < maxBytes; i++) {
      const b = this.byte();
      value |= BigInt(b & 0x7f) << BigInt(7 * i);
      if ((b & 0x80) === 0) return { value, size: i + 1 };
    }
    throw new Error(`varint longer than ${maxBytes} bytes`);
  }

  tag(): [field: number, wireType: number] {
    const tag = this.tags === 'cpp' ? Number(this.varint(5).value & 0xffffffffn) : Number(this.varint(10).value);
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (field === 0 || wireType > 5) throw new Error(`illegal tag ${tag}`);
    return [field, wireType];
  }

  /** A length prefix as C++ reads it: at most five bytes, below 2^31. */
  length(): number {
    const { value } = this.varint(this.tags === 'cpp' ? 5 : 10);
    if (value >= 2n ** 31n - 16n || Number(value) > this.end - this.pos) throw new Error('length past the end');
    return Number(value);
  }

  take(count: number): Uint8Array {
    if (count > this.end - this.pos) throw new Error('premature end');
    const out = this.bytes.subarray(this.pos, this.pos + count);
    this.pos += count;
    return out;
  }

  skip(field: number, wireType: number, depth: number): void {
    if (wireType === 0) this.varint(10);
    else if (wireType === 1) this.take(8);
    else if (wireType === 2) this.take(this.length());
    else if (wireType === 5) this.take(4);
    else if (wireType === 3) {
      if (depth > MAX_DEPTH) throw new Error('groups nested too deep');
      for (;;) {
        const [f, w] = this.tag();
        if (w === 4) {
          if (f !== field) throw new Error('unmatched end group');
          return;
        }
        this.skip(f, w, depth + 1);
      }
    } else throw new Error(`unexpected end group ${field}`);
  }
}

function decode(payloads: readonly Uint8Array[], type: MessageType, tags: TagSemantics, depth: number): Decoded {
  if (depth > MAX_DEPTH) throw new Error('messages nested too deep');
  const decoded: Decoded = { strings: new Map(), dataLocation: 0, messages: new Map() };
  const messageFields = MESSAGE_FIELDS[type];
  const strings = STRINGS[type] ?? {};
  // Merging a message given twice is parsing its payloads one after the other, into the same message.
  for (const payload of payloads) {
    const cursor = new Cursor(payload, 0, payload.length, tags);
    while (cursor.pos < cursor.end) {
      const [field, wireType] = cursor.tag();
      const string = strings[field];
      if (wireType === 2 && messageFields[field] !== undefined) {
        const list = decoded.messages.get(field) ?? [];
        list.push(cursor.take(cursor.length()));
        decoded.messages.set(field, list);
      } else if (wireType === 2 && string !== undefined) decoded.strings.set(string, cursor.take(cursor.length()));
      else if (wireType === 0 && type === 'Tensor' && field === DATA_LOCATION) {
        const value = Number(BigInt.asIntN(32, cursor.varint(10).value));
        if (value === 0 || value === 1) decoded.dataLocation = value; // a closed enum's unknown value is kept apart
      } else cursor.skip(field, wireType, depth);
    }
  }
  return decoded;
}

const UTF8 = new TextDecoder();

/** The view of a model's bytes as a parser with `tags` reads them; throws where that parser refuses them. */
export function viewOfBytes(bytes: Uint8Array, tags: TagSemantics): ModelView {
  const operators: string[] = [];
  const external: string[] = [];
  const text = (d: Decoded, key: string): string => UTF8.decode(d.strings.get(key) ?? new Uint8Array());
  const children = (d: Decoded, type: MessageType, field: number, depth: number): Decoded[] => {
    const payloads = d.messages.get(field) ?? [];
    if (payloads.length === 0) return [];
    const child = MESSAGE_FIELDS[type][field]!;
    if (SINGULAR[type]?.has(field)) return [decode(payloads, child, tags, depth + 1)];
    return payloads.map((p) => decode([p], child, tags, depth + 1));
  };
  const walk = (d: Decoded, type: MessageType, depth: number): void => {
    if (type === 'Node') operators.push(`${text(d, 'domain')}:${text(d, 'opType')}`);
    if (type === 'Tensor') {
      const entries = children(d, type, 13, depth);
      if (d.dataLocation === 1 || entries.length > 0) {
        const location = entries.filter((e) => text(e, 'key') === 'location').pop();
        external.push(`${text(d, 'name')}@${location === undefined ? '' : text(location, 'value')}`);
      }
    }
    for (const field of Object.keys(MESSAGE_FIELDS[type]).map(Number)) {
      const childType = MESSAGE_FIELDS[type][field]!;
      for (const child of children(d, type, field, depth)) walk(child, childType, depth + 1);
    }
  };
  const model = decode([bytes], 'Model', tags, 0);
  walk(model, 'Model', 0);
  const [graph] = children(model, 'Model', 7, 0);
  return {
    operators: operators.sort(),
    external: external.sort(),
    initializers:
      graph === undefined
        ? []
        : children(graph, 'Graph', 5, 1)
            .map((t) => text(t, 'name'))
            .sort(),
    outputs:
      graph === undefined
        ? []
        : children(graph, 'Graph', 12, 1)
            .map((v) => text(v, 'name'))
            .sort(),
  };
}

/** The same view of a model protobuf-es decoded: what the guard checked. */
export function viewOfProto(model: ModelProto): ModelView {
  const operators: string[] = [];
  const external: string[] = [];
  const tensor = (t: TensorProto | undefined): void => {
    if (t === undefined) return;
    if (t.dataLocation === TensorProto_DataLocation.EXTERNAL || t.externalData.length > 0) {
      const location = t.externalData.filter((e) => e.key === 'location').pop();
      external.push(`${t.name}@${location?.value ?? ''}`);
    }
  };
  const sparse = (s: SparseTensorProto | undefined): void => {
    tensor(s?.values);
    tensor(s?.indices);
  };
  const attribute = (a: AttributeProto): void => {
    tensor(a.t);
    a.tensors.forEach(tensor);
    sparse(a.sparseTensor);
    a.sparseTensors.forEach(sparse);
    graph(a.g);
    a.graphs.forEach(graph);
  };
  const node = (n: NodeProto): void => {
    operators.push(`${n.domain}:${n.opType}`);
    n.attribute.forEach(attribute);
  };
  function graph(g: GraphProto | undefined): void {
    if (g === undefined) return;
    g.node.forEach(node);
    g.initializer.forEach(tensor);
    g.sparseInitializer.forEach(sparse);
  }
  graph(model.graph);
  for (const info of model.trainingInfo) {
    graph(info.initialization);
    graph(info.algorithm);
  }
  for (const fn of model.functions) {
    fn.node.forEach(node);
    fn.attributeProto.forEach(attribute);
  }
  return {
    operators: operators.sort(),
    external: external.sort(),
    initializers: (model.graph?.initializer ?? []).map((t) => t.name).sort(),
    outputs: (model.graph?.output ?? []).map((v) => v.name).sort(),
  };
}
