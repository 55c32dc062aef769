/**
 * The fuzzer's mutations, each returning the bytes to read, a description to
 * reproduce it by, and, where the mutation itself makes the file invalid, the
 * outcome it must have (an oracle: "refused", or refused with given codes).
 *
 * Families: byte-level (flips, cuts, 0xff runs), opcode-level on the real
 * pickle (delete, duplicate, swap, insert hostile snippets, rewrite integers,
 * strings and globals), container lies (deflated entries declaring other
 * sizes), and generated checkpoints with hostile tensor geometry.
 */
import { unzipSync } from 'fflate';
import type { CheckpointErrorCode } from '../../../src/formats/pth/index.js';
import {
  contiguousStride,
  legacyCheckpoint,
  pickle,
  storageId,
  tensorV1,
  tensorV2,
  zipCheckpoint,
  type PickleValue,
  type StorageSpec,
} from '../craft.js';
import { declareSize, type OpenedSeed } from './containers.js';
import {
  assemble,
  globalOp,
  intOp,
  isGlobalOp,
  isIntOp,
  isPutOp,
  isStringOp,
  long4Op,
  op,
  stringOp,
  type PickleOp,
} from './pickle-ops.js';

export interface FuzzCase {
  readonly bytes: Uint8Array;
  readonly description: string;
  /** When set, the case must end in a CheckpointError (with one of these codes, when given). */
  readonly mustRefuse?: { readonly codes?: readonly CheckpointErrorCode[] };
}

export type Random = () => number;

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const below = (random: Random, n: number): number => Math.floor(random() * n);

/** Globals that only an attack names: refused by name (placeholders.ts). */
const DISALLOWED_GLOBALS: ReadonlyArray<readonly [string, string]> = [
  ['posix', 'system'],
  ['os', 'system'],
  ['builtins', 'eval'],
  ['builtins', 'getattr'],
  ['__builtin__', 'eval'],
  ['subprocess', 'Popen'],
  ['torch', 'load'],
  ['torch._utils', '_rebuild_qtensor'],
  ['functools', 'partial'],
  ['torch\u0000', 'x'],
];

/**
 * Classes a checkpoint pickles beside (or instead of) its state_dict: inert stand-ins, whatever the opcodes around
 * them do (placeholders.ts). A mutation that puts one where a tensor function was may read or be refused, never run.
 */
const PLACEHOLDER_GLOBALS: ReadonlyArray<readonly [string, string]> = [
  ['torch.nn.modules.conv', 'Conv2d'],
  ['torch.nn.modules.loss', 'CrossEntropyLoss'],
  ['collections', 'Counter'],
  ['collections', 'defaultdict'],
  ['argparse', 'Namespace'],
  ['numpy.core.multiarray', 'scalar'],
  ['copyreg', '_reconstructor'],
  ['builtins', 'set'],
  ['__main__', 'Evil'],
];

const INTEGER_EXTREMES: readonly bigint[] = [
  0n,
  1n,
  -1n,
  2n ** 31n - 1n,
  -(2n ** 31n),
  2n ** 32n,
  2n ** 40n,
  2n ** 53n,
  2n ** 63n - 1n,
  -(2n ** 63n),
  1000003n,
];

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'storage', 'numel', 'shape'];

export function byteMutation(input: Uint8Array, random: Random): FuzzCase {
  const position = (): number => {
    const roll = random();
    if (roll < 0.25) return below(random, Math.max(1, input.length >> 2));
    if (roll < 0.5) return Math.max(0, input.length - 1 - below(random, 200));
    return below(random, input.length);
  };
  const at = position();
  switch (below(random, 5)) {
    case 0: {
      const bytes = input.slice();
      const count = 1 + below(random, 4);
      for (let i = 0; i < count; i++) bytes[position()] = below(random, 256);
      return { bytes, description: `${count} random bytes` };
    }
    case 1: {
      const bytes = input.slice();
      bytes[at] = (bytes[at] ?? 0) ^ (1 << below(random, 8));
      return { bytes, description: `bit flip at ${at}` };
    }
    case 2:
      return { bytes: input.slice(0, at), description: `truncated to ${at}` };
    case 3: {
      const bytes = input.slice();
      const length = 1 + below(random, 64);
      bytes.fill(0, at, at + length);
      return { bytes, description: `${length} bytes zeroed at ${at}` };
    }
    default: {
      const bytes = input.slice();
      const length = 1 + below(random, 8);
      bytes.fill(0xff, at, at + length);
      return { bytes, description: `${length} bytes of 0xff at ${at}` };
    }
  }
}

/** Hostile opcode sequences to splice in; `memo` are indices the pickle has stored (real tensors among them). */
function hostileSnippet(random: Random, memo: readonly number[]): { ops: PickleOp[]; name: string } {
  const get = (): PickleOp => op(0x68, memo.length > 0 ? pick(random, memo) : 0);
  const key = pick(random, PROTOTYPE_KEYS);
  const flood = (code: number[], count: number): PickleOp[] =>
    new Array<PickleOp>(count).fill(op(code[0]!, ...code.slice(1)));
  switch (below(random, 11)) {
    case 0: // DICT with a prototype key (pickleparser re-parented the dict)
      return {
        ops: [op(0x28), stringOp(key), get(), stringOp('numel'), intOp(2n ** 40n), op(0x64)],
        name: `DICT {${key}: memo}`,
      };
    case 1: // BUILD a list with {key: memo} (pickleparser: Object.assign)
      return {
        ops: [op(0x5d), op(0x7d), stringOp(key), get(), op(0x73), op(0x62)],
        name: `BUILD list with {${key}: memo}`,
      };
    case 2: // BUILD onto whatever is on top
      return { ops: [op(0x7d), stringOp(key), get(), op(0x73), op(0x62)], name: `BUILD top with {${key}: memo}` };
    case 3: // SETITEM with a prototype key into the dict on top
      return { ops: [stringOp(key), get(), op(0x73)], name: `SETITEM ${key}` };
    case 4:
      return { ops: [long4Op(pick(random, [9, 300, 70_000]))], name: 'LONG4 big integer' };
    case 5:
      return { ops: [op(0x8a, 255, ...new Array<number>(255).fill(0x41))], name: 'LONG1 of 255 bytes' };
    case 6: // negative lengths: BINSTRING and LONG4 take signed int32
      return {
        ops: [pick(random, [op(0x54, 0xfb, 0xff, 0xff, 0xff), long4Op(-5), op(0x42, 0xff, 0xff, 0xff, 0xff)])],
        name: 'negative length',
      };
    case 7:
      return {
        ops: flood([pick(random, [0x7d, 0x5d, 0x28, 0x29])], pick(random, [20_000, 400_000, 2_000_000])),
        name: 'container flood',
      };
    case 8:
      return { ops: [op(0x29)].concat(flood([0x32], 100_000 + below(random, 400_000))), name: 'DUP flood' };
    case 9: // REDUCE on a non-callable, NEWOBJ, EXT1
      return { ops: [get(), op(0x29), pick(random, [op(0x52), op(0x81), op(0x82, 1)])], name: 'call through memo' };
    default:
      return { ops: [get(), op(0x29), op(0x52)], name: 'REDUCE memo' };
  }
}

export function opcodeMutation(seed: OpenedSeed, random: Random): FuzzCase {
  const ops = seed.ops.slice();
  // Never touch the final STOP, so that the mutated opcode is reached.
  const index = below(random, Math.max(1, ops.length - 1));
  const memo = seed.ops.filter(isPutOp).map((put) => put.arg[0] ?? 0);
  let description: string;
  let mustRefuse: FuzzCase['mustRefuse'];
  switch (below(random, 10)) {
    case 9: {
      // A tensor or dict global swapped for a class kept inert: REDUCE, NEWOBJ and BUILD then meet a placeholder
      // where a tensor was built, with the tensor's arguments.
      const candidates = ops.map((candidate, at) => (isGlobalOp(candidate) ? at : -1)).filter((at) => at >= 0);
      const at = pick(random, candidates);
      const [module, name] = pick(random, PLACEHOLDER_GLOBALS);
      ops[at] = globalOp(module, name);
      description = `global at opcode ${at} set to the placeholder ${module}.${name}`;
      break;
    }
    case 0:
      ops.splice(index, 1);
      description = `opcode ${index} deleted`;
      break;
    case 1:
      ops.splice(index, 0, ops[index]!);
      description = `opcode ${index} duplicated`;
      break;
    case 2:
      [ops[index], ops[index + 1]] = [ops[index + 1]!, ops[index]!];
      description = `opcodes ${index} and ${index + 1} swapped`;
      break;
    case 3: {
      const candidates = ops.map((candidate, at) => (isIntOp(candidate) ? at : -1)).filter((at) => at >= 0);
      const at = pick(random, candidates);
      const value = pick(random, INTEGER_EXTREMES);
      ops[at] = intOp(value);
      description = `integer at opcode ${at} set to ${value}`;
      break;
    }
    case 4: {
      const candidates = ops.map((candidate, at) => (isStringOp(candidate) ? at : -1)).filter((at) => at >= 0);
      const at = pick(random, candidates);
      const text = random() < 0.8 ? pick(random, PROTOTYPE_KEYS) : 'k'.repeat(70_000);
      ops[at] = stringOp(text);
      description = `string at opcode ${at} set to ${text.length > 20 ? `${text.length} characters` : text}`;
      break;
    }
    case 5: {
      // Every opcode before it is the seed's own, so this GLOBAL is reached: it must be refused by name.
      const at = ops.findIndex(isGlobalOp);
      const [module, name] = pick(random, DISALLOWED_GLOBALS);
      ops[at] = globalOp(module, name);
      description = `global at opcode ${at} set to ${module}.${name}`;
      mustRefuse = { codes: ['disallowed-global'] };
      break;
    }
    case 6: {
      // The storage a persistent id built, swapped for a dict that takes it as its prototype and overrides
      // its fields: the forgery that passed pickleparser's `instanceof` brand checks. Never a valid file.
      const candidates = ops.map((candidate, at) => (candidate.code === 0x51 ? at : -1)).filter((at) => at >= 0);
      const at = pick(random, candidates);
      const fields: PickleOp[][] = [
        [stringOp('__proto__'), op(0x68, 250)],
        [stringOp('numel'), intOp(pick(random, [2n ** 40n, 2n ** 31n - 1n, 4096n]))],
        [stringOp('elementOffset'), intOp(pick(random, [-4096n, -1n, 2n ** 20n, 0n]))],
      ];
      if (random() < 0.5) fields.reverse();
      const forged = [op(0x51), op(0x71, 250), op(0x30), op(0x28), ...fields.flat(), op(0x64)];
      const spliced = ops.slice(0, at).concat(forged, ops.slice(at + 1));
      return {
        bytes: seed.repack(assemble(spliced)),
        description: `storage of persistent id at opcode ${at} forged through a '__proto__' key`,
        mustRefuse: {},
      };
    }
    default: {
      const snippet = hostileSnippet(random, memo);
      description = `${snippet.name} inserted at opcode ${index}`;
      // Spliced by concatenation: floods are too many opcodes for an argument list.
      const spliced = ops.slice(0, index).concat(snippet.ops, ops.slice(index));
      return { bytes: seed.repack(assemble(spliced)), description };
    }
  }
  return { bytes: seed.repack(assemble(ops)), description, ...(mustRefuse === undefined ? {} : { mustRefuse }) };
}

/** A zip seed with one entry deflated and its declared size a lie: it must be refused. */
export function sizeLie(seed: OpenedSeed, random: Random): FuzzCase | undefined {
  if (seed.format !== 'zip') return undefined;
  const name = pick(
    random,
    seed.entryNames.filter((entry) => entry.endsWith('data.pkl') || entry.includes('/data/')),
  );
  const deflated = seed.repack(assemble(seed.ops), { deflate: new Set([name]) });
  const truth = unzipSync(deflated, { filter: (entry) => entry.name === name })[name]?.length;
  const lie = pick(random, [0, 1, 7, 100, 2 ** 20, 2 ** 31, 2 ** 32 - 1, (truth ?? 0) - 1, (truth ?? 0) + 1]);
  const bytes = declareSize(deflated, name, lie);
  if (bytes === undefined) return undefined;
  // A lie that happens to be the truth is no lie. Every other size must be refused by the zip layer: as too
  // large past the inflation cap, as a malformed entry below it (not later, by what a cut pickle looks like).
  if (lie === truth) return { bytes, description: `${name} deflated, declared size ${lie} (the truth)` };
  const codes: CheckpointErrorCode[] = lie > 8 * bytes.length ? ['too-large'] : ['malformed-zip'];
  return { bytes, description: `${name} deflated, declared size ${lie} of ${truth}`, mustRefuse: { codes } };
}

/** `cls()` then BUILD with `state`: how pickle restores an object's __dict__ (nn.Module, Namespace …). */
function built(module: string, name: string, state: PickleValue): PickleValue {
  const call = pickleBody({ call: { global: [module, name] }, args: [] });
  return { raw: [...call, ...pickleBody(state), 0x62] };
}

/** The opcodes of one value, without the protocol header and STOP, to splice into a hand-made pickle. */
function pickleBody(value: PickleValue): number[] {
  const bytes = pickle(value);
  return [...bytes.subarray(2, bytes.length - 1)];
}

/**
 * Where placeholders meet tensors: the generated tensors as a pickled module's `_parameters` (under `__proto__` keys
 * at times), nested modules, a Counter and a Namespace beside them, BUILD states that are no dicts, a module whose
 * `_modules` holds a tensor or itself through the memo.
 */
function placeholdersMeetTensors(random: Random, entries: Array<readonly [PickleValue, PickleValue]>): PickleValue {
  const parameters: PickleValue = { orderedDict: entries };
  const moduleState = (params: PickleValue, modules: PickleValue): PickleValue =>
    new Map<PickleValue, PickleValue>([
      [random() < 0.1 ? '__proto__' : 'training', false],
      ['_parameters', params],
      ['_buffers', { orderedDict: random() < 0.2 ? entries.slice(0, 1) : [] }],
      ['_modules', modules],
    ]);
  const inner = built('torch.nn.modules.conv', 'Conv2d', moduleState(parameters, { orderedDict: [] }));
  const children: PickleValue =
    random() < 0.2 ? { orderedDict: [['0', entries[0]?.[1] ?? null]] } : { orderedDict: [['0', inner]] };
  const state =
    random() < 0.15
      ? pick(random, [null, 3, 'x', [parameters]] as PickleValue[])
      : moduleState({ orderedDict: [] }, children);
  return new Map<PickleValue, PickleValue>([
    ['model', built('__main__', 'Net', state)],
    [
      'criterion',
      built('torch.nn.modules.loss', 'CrossEntropyLoss', moduleState({ orderedDict: [] }, { orderedDict: [] })),
    ],
    [
      'milestones',
      { call: { global: ['collections', 'Counter'] }, args: [new Map<PickleValue, PickleValue>([[30, 1]])] },
    ],
    ['args', built('argparse', 'Namespace', new Map<PickleValue, PickleValue>([['__proto__', parameters]]))],
    [pick(random, ['network', 'model_state', '__proto__']), parameters],
  ]);
}

/** A generated checkpoint: real containers, hostile tensor geometry and storage claims. */
export function generatedCheckpoint(random: Random): FuzzCase {
  const sizes = [0, 1, 2, 3, 7, 64, 4096, 2 ** 20, 2 ** 31 - 1, 2 ** 40];
  const storages: StorageSpec[] = Array.from({ length: 1 + below(random, 3) }, (_, index) => {
    const count = 1 + below(random, 16);
    const type = pick(random, ['FloatStorage', 'LongStorage', 'HalfStorage', 'DoubleStorage'] as const);
    const itemSize = type === 'HalfStorage' ? 2 : type === 'FloatStorage' ? 4 : 8;
    const bytes = Uint8Array.from({ length: count * itemSize }, () => below(random, 0x80));
    // The claimed element count may lie.
    const numel = random() < 0.7 ? count : pick(random, [count + 1, count * 2, 2 ** 31 - 1, 2 ** 40]);
    return { key: String(index), type, numel, bytes };
  });
  const legacy = random() < 0.5;
  const parts: string[] = [];
  const entries: Array<readonly [PickleValue, PickleValue]> = Array.from(
    { length: 1 + below(random, 4) },
    (_, index) => {
      const storage = pick(random, storages);
      const rank = below(random, 4);
      const shape = Array.from({ length: rank }, () => (random() < 0.6 ? 1 + below(random, 4) : pick(random, sizes)));
      const stride = random() < 0.5 ? contiguousStride(shape) : shape.map(() => pick(random, [0, 0, 1, 2, 2 ** 20]));
      const offset = random() < 0.7 ? 0 : pick(random, [1, storage.numel - 1, storage.numel, 2 ** 31 - 1]);
      const view = legacy && random() < 0.3 ? ([`v${index}`, below(random, 4), below(random, 8)] as const) : undefined;
      parts.push(
        `${storage.key}:${storage.type}[${storage.numel}]${view ? `view${view[1]}+${view[2]}` : ''}@${offset} ${shape.join('x')}/${stride.join(',')}`,
      );
      const ref = storageId(storage, legacy ? (view ?? null) : undefined);
      const key = random() < 0.1 ? '__proto__' : `t${index}`;
      return [
        key,
        legacy && random() < 0.5 ? tensorV1(ref, offset, shape, stride) : tensorV2(ref, offset, shape, stride),
      ] as const;
    },
  );
  const roll = random();
  const object: PickleValue =
    roll < 0.5
      ? { orderedDict: entries }
      : roll < 0.7
        ? new Map<PickleValue, PickleValue>([
            ['state_dict', { orderedDict: entries }],
            ['epoch', pick(random, INTEGER_EXTREMES)],
          ])
        : placeholdersMeetTensors(random, entries);
  const bytes = legacy ? legacyCheckpoint(object, storages) : zipCheckpoint(object, storages);
  return { bytes, description: `generated ${legacy ? 'legacy' : 'zip'} ${parts.join('; ')}` };
}
