/**
 * Wire-level mutations of ONNX models for the differential fuzz test: a model is split into its fields (recursing
 * into the messages that lead to tensors and nodes), mutated where protobuf leaves a writer freedom or a parser
 * room to disagree, and written back. Seeded: the same seed gives the same cases.
 */
import { MESSAGE_FIELDS } from './onnx-wire-view.js';
import { concat, longVarint, varint } from './hidden-fields.js';

type MessageType = keyof typeof MESSAGE_FIELDS;

/** One field occurrence: how its tag and length are written, and its payload (or its fields, for a message). */
interface WireField {
  field: number;
  wireType: number;
  /** The tag as written (canonical, padded, or aliased above 2^32). */
  tag: Uint8Array;
  /** Extra bytes of padding in the length prefix (length-delimited fields). */
  lengthPadding: number;
  /** Varint, fixed or length-delimited payload, when not a parsed message. */
  payload: Uint8Array;
  /** The message's fields, for message-typed fields. */
  children?: WireField[];
  childType?: MessageType;
}

/** A small seeded PRNG (mulberry32). */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

function readVarint(bytes: Uint8Array, pos: number): [value: number, next: number] {
  let value = 0;
  for (let shift = 0; ; shift += 7) {
    const b = bytes[pos++]!;
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [value, pos];
  }
}

/** Splits canonical bytes (a model protobuf-es or nin-sdk wrote) into fields, recursing into `type`'s messages. */
export function parseFields(bytes: Uint8Array, type: MessageType): WireField[] {
  const fields: WireField[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const start = pos;
    const [tag, afterTag] = readVarint(bytes, pos);
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    pos = afterTag;
    let payload: Uint8Array;
    if (wireType === 0) {
      const [, next] = readVarint(bytes, pos);
      payload = bytes.subarray(pos, next);
      pos = next;
    } else if (wireType === 2) {
      const [length, next] = readVarint(bytes, pos);
      payload = bytes.subarray(next, next + length);
      pos = next + length;
    } else {
      const size = wireType === 1 ? 8 : 4;
      payload = bytes.subarray(pos, pos + size);
      pos += size;
    }
    const childType = wireType === 2 ? MESSAGE_FIELDS[type][field] : undefined;
    fields.push({
      field,
      wireType,
      tag: bytes.slice(start, afterTag),
      lengthPadding: 0,
      payload,
      ...(childType === undefined ? {} : { children: parseFields(payload, childType), childType }),
    });
  }
  return fields;
}

export function writeFields(fields: readonly WireField[]): Uint8Array {
  return concat(
    ...fields.map((f) => {
      if (f.wireType !== 2) return concat(f.tag, f.payload);
      const payload = f.children === undefined ? f.payload : writeFields(f.children);
      const length = f.lengthPadding === 0 ? varint(payload.length) : padded(payload.length, f.lengthPadding);
      return concat(f.tag, length, payload);
    }),
  );
}

/** `value` as a varint `extra` bytes longer than it needs, up to ten bytes in all. */
function padded(value: number, extra: number): Uint8Array {
  const size = Math.min(10, varint(value).length + extra);
  return longVarint(BigInt(value), size);
}

/** Every field occurrence in the tree, with the list that holds it and the message type it belongs to. */
function occurrences(
  fields: WireField[],
  type: MessageType,
  out: { list: WireField[]; index: number; type: MessageType }[] = [],
) {
  fields.forEach((f, index) => {
    out.push({ list: fields, index, type });
    if (f.children !== undefined && f.childType !== undefined) occurrences(f.children, f.childType, out);
  });
  return out;
}

/** A name for what a mutation did, kept with the case so that a finding can be told and replayed. */
export interface Mutated {
  readonly bytes: Uint8Array;
  readonly steps: readonly string[];
}

const canonicalTag = (field: number, wireType: number) => varint(field * 8 + wireType);

/**
 * Applies one to three mutations to a model's fields: tags padded (2–10 bytes) or aliased by multiples of 2^32
 * (five-byte tags whose low 32 bits are the field's: what ONNX Runtime reads, what protobuf-es refuses), aliased
 * onto the tensor fields 13/14 and the model's graph (7); lengths padded; a message split in two occurrences or
 * given twice; unknown fields and groups inserted; a message's fields shuffled; external data or a data_location
 * added to a tensor under a plain or an aliased tag; a field's wire type changed; a byte flipped.
 */
export function mutate(bytes: Uint8Array, random: Random): Mutated {
  const root = parseFields(bytes, 'Model');
  const steps: string[] = [];
  const count = 1 + random.int(3);
  for (let i = 0; i < count; i++) {
    const all = occurrences(root, 'Model');
    const { list, index, type } = random.pick(all);
    const f = list[index]!;
    const kind = random.int(11);
    if (kind === 0) {
      const size = varint(f.field * 8 + f.wireType).length + 1 + random.int(10 - varint(f.field * 8).length);
      f.tag = longVarint(BigInt(f.field * 8 + f.wireType), Math.min(10, size));
      steps.push(`pad the tag of ${type}.${f.field} to ${f.tag.length} bytes`);
    } else if (kind === 1) {
      // Five bytes hold 35 bits (multiples 1–7, which C++ reads as the field); six hold more (which it refuses).
      const multiple = random.int(3) === 0 ? 8n + BigInt(random.int(1000)) : 1n + BigInt(random.int(7));
      f.tag = longVarint((multiple << 32n) + BigInt(f.field * 8 + f.wireType), multiple > 7n ? 6 : 5);
      steps.push(`alias the tag of ${type}.${f.field} by ${multiple}·2^32`);
    } else if (kind === 2 && f.wireType === 2) {
      f.lengthPadding = 1 + random.int(6);
      steps.push(`pad the length of ${type}.${f.field} by ${f.lengthPadding} bytes`);
    } else if (kind === 3 && f.children !== undefined && f.children.length > 1) {
      const cut = 1 + random.int(f.children.length - 1);
      const second: WireField = { ...f, tag: canonicalTag(f.field, 2), children: f.children.slice(cut) };
      f.children = f.children.slice(0, cut);
      list.splice(index + 1 + random.int(list.length - index), 0, second);
      steps.push(`split ${type}.${f.field} into two occurrences at field ${cut}`);
    } else if (kind === 4) {
      list.splice(index, 0, structuredCloneField(f));
      steps.push(`repeat ${type}.${f.field}`);
    } else if (kind === 5) {
      const field = 30 + random.int(2 ** 29 - 31);
      const wireType = random.pick([0, 1, 2, 5, 3]);
      const payload =
        wireType === 0
          ? varint(random.int(2 ** 31))
          : wireType === 1
            ? new Uint8Array(8)
            : wireType === 5
              ? new Uint8Array(4)
              : wireType === 2
                ? concat(varint(3), Uint8Array.of(1, 2, 3))
                : concat(varint(8), varint(1), canonicalTag(field, 4));
      list.splice(index, 0, { field, wireType, tag: canonicalTag(field, wireType), lengthPadding: 0, payload });
      steps.push(`insert an unknown field ${field} (wire type ${wireType}) in ${type}`);
    } else if (kind === 6 && f.children !== undefined) {
      f.children.sort(() => random.next() - 0.5);
      steps.push(`shuffle the fields of ${type}.${f.field}`);
    } else if (kind === 7) {
      const tensors = all.filter((o) => o.list[o.index]!.childType === 'Tensor');
      if (tensors.length === 0) continue;
      const tensor = random.pick(tensors);
      const target = tensor.list[tensor.index]!;
      const aliased = random.int(2) === 0;
      const tag = (field: number, wireType: number) =>
        aliased ? longVarint((1n << 32n) + BigInt(field * 8 + wireType), 5) : canonicalTag(field, wireType);
      const hidden: WireField =
        random.int(2) === 0
          ? { field: 14, wireType: 0, tag: tag(14, 0), lengthPadding: 0, payload: varint(1) }
          : {
              field: 13,
              wireType: 2,
              tag: tag(13, 2),
              lengthPadding: 0,
              payload: concat(
                canonicalTag(1, 2),
                varint(8),
                new TextEncoder().encode('location'),
                canonicalTag(2, 2),
                varint(6),
                new TextEncoder().encode('secret'),
              ),
            };
      target.children!.push(hidden);
      steps.push(
        `add ${hidden.field === 14 ? 'data_location EXTERNAL' : 'external_data'} to a tensor${aliased ? ' under an aliased tag' : ''}`,
      );
    } else if (kind === 8) {
      const wireType = random.pick([0, 1, 2, 5].filter((w) => w !== f.wireType));
      f.tag = canonicalTag(f.field, wireType);
      f.wireType = wireType;
      if (wireType === 0) f.payload = varint(f.payload.length);
      if (wireType === 1) f.payload = new Uint8Array(8);
      if (wireType === 5) f.payload = new Uint8Array(4);
      if (wireType === 2) f.payload = new Uint8Array(0);
      delete f.children;
      steps.push(`change the wire type of ${type}.${f.field} to ${wireType}`);
    } else if (kind === 9 && type === 'Model') {
      // A second graph under a tag that ONNX Runtime reads as 7, as the first such model found had it.
      const graph = root.find((g) => g.field === 7);
      if (graph === undefined) continue;
      const copy = structuredCloneField(graph);
      copy.tag = longVarint((1n << 32n) + 58n, 5);
      root.push(copy);
      steps.push('repeat the graph under an aliased tag');
    } else if (kind === 10) {
      const out = writeFields(root);
      const at = random.int(out.length);
      const flipped = out.slice();
      flipped[at] = flipped[at]! ^ (1 << random.int(8));
      steps.push(`flip a bit of byte ${at}`);
      return { bytes: flipped, steps };
    }
  }
  return { bytes: writeFields(root), steps };
}

function structuredCloneField(f: WireField): WireField {
  return {
    ...f,
    tag: f.tag.slice(),
    payload: f.payload,
    ...(f.children === undefined ? {} : { children: f.children.map(structuredCloneField) }),
  };
}
