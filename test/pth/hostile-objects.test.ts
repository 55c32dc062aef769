/**
 * Regression tests for attacks on the checkpoint reader's objects: pickles that forged the reader's internal objects through
 * `__proto__` keys, reads outside the caller's view, budget bypasses, big
 * integers, and opcode floods. Each was found against the pickleparser-based
 * reader; `torch.load(weights_only=True)` (torch 1.13) refuses each forged file too.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CheckpointError, readCheckpoint } from '../../src/formats/pth/index.js';
import {
  float32Storage,
  legacyCheckpoint,
  opcodes,
  rawPickle,
  sliceOfLargerBuffer,
  storageId,
  tensorV2,
  zipCheckpoint,
  type PickleValue,
} from './craft.js';
import { assertRefused, fixtureBytes } from './helpers.js';

const GLOBAL_ORDERED_DICT = opcodes({ call: { global: ['collections', 'OrderedDict'] }, args: [] });
const MARK = 0x28;
const SETITEMS = 0x75;
const BINPUT = (index: number): number[] => [0x71, index];
const BINGET = (index: number): number[] => [0x68, index];

/**
 * An OrderedDict holding a genuine tensor 'bias' (memoised as 1), then an entry
 * 'weight' built by `forge`: what the adversarial pass used to make objects
 * pass `instanceof TensorRef`. Returns data.pkl and where the forging opcode is.
 */
function forgedStateDict(forge: readonly number[], forgeOffset: number): { data: Uint8Array; at: number } {
  const storage = float32Storage('0', [1, 2]);
  const prefix = [
    ...GLOBAL_ORDERED_DICT,
    MARK,
    ...opcodes('bias'),
    ...opcodes(tensorV2(storageId(storage), 0, [2])),
    ...BINPUT(1),
    ...opcodes('weight'),
  ];
  return { data: rawPickle(prefix, forge, [SETITEMS]), at: 2 + prefix.length + forgeOffset };
}

describe('forged internal objects ', () => {
  const storage = float32Storage('0', [1, 2]);

  it("a DICT opcode with a '__proto__' key (pickleparser re-parented the object onto a real tensor)", () => {
    // MARK '__proto__' <the real tensor> 'offset' -100 DICT
    const forge = [MARK, ...opcodes('__proto__'), ...BINGET(1), ...opcodes('offset'), ...opcodes(-100), 0x64];
    const { data, at } = forgedStateDict(forge, forge.length - 1);
    assertRefused(
      zipCheckpoint(data, [storage]),
      'malformed-pickle',
      `malformed pickle in data.pkl at byte ${at}: opcode DICT (0x64) is not allowed: torch.save never writes it`,
    );
  });

  it("BUILD with a '__proto__' key onto a list (pickleparser did Object.assign)", () => {
    const state: PickleValue = new Map<PickleValue, PickleValue>([
      ['__proto__', null],
      ['numel', 1e9],
    ]);
    const forge = [0x5d, ...opcodes(state), 0x62]; // EMPTY_LIST, state, BUILD
    const { data, at } = forgedStateDict(forge, forge.length - 1);
    assertRefused(
      zipCheckpoint(data, [storage]),
      'malformed-pickle',
      `malformed pickle in data.pkl at byte ${at}: BUILD may only set the attributes of a dict`,
    );
  });

  it("BUILD with a '__proto__' key onto a dict leaves a dict, which is no tensor", () => {
    // EMPTY_DICT (the target), then the state {'__proto__': <the real tensor>}, then BUILD
    const forge = [0x7d, 0x7d, MARK, ...opcodes('__proto__'), ...BINGET(1), SETITEMS, 0x62];
    const pickleBytes = forgedStateDict(forge, 0).data;
    assertRefused(
      zipCheckpoint(pickleBytes, [storage]),
      'not-a-state-dict',
      "expected a state_dict (a mapping of names to tensors) or a dict with one under 'state_dict', 'model' or 'net', but its entry 'weight' is a dict of 0",
    );
  });

  it("a state_dict key named '__proto__' stays a key", () => {
    const object: PickleValue = { orderedDict: [['__proto__', tensorV2(storageId(storage), 0, [2])]] };
    const checkpoint = readCheckpoint(zipCheckpoint(object, [storage]));
    assert.deepEqual([...checkpoint.tensors.keys()], ['__proto__']);
    assert.deepEqual([...(checkpoint.tensors.get('__proto__')?.data ?? [])], [1, 2]);
    assert.equal(Object.getPrototypeOf(checkpoint.tensors), Map.prototype);
  });

  it('REDUCE on anything but an allowed global is refused (pickleparser called whatever was on the stack)', () => {
    // a tuple, then () REDUCE
    const data = rawPickle(opcodes(['x']), [0x29, 0x52]);
    assertRefused(
      zipCheckpoint(data, []),
      'malformed-pickle',
      'malformed pickle in data.pkl at byte 11: REDUCE calls something that is not an allowed global',
    );
  });
});

describe("reads bounded by the caller's view ", () => {
  const CANARY = 0xa5;
  const canaryFloat = new DataView(Uint8Array.of(CANARY, CANARY, CANARY, CANARY).buffer).getFloat32(0, true);

  for (const file of [
    'cifar-small.pth',
    'cifar-small-legacy.pth',
    'cifar-small-legacy-v1-py2.pth',
    'cifar-small-noncontiguous.pth',
  ]) {
    it(`${file} read from a view inside a larger buffer gives the same tensors, all inside the view`, () => {
      const bytes = fixtureBytes(file);
      const sliced = sliceOfLargerBuffer(bytes, CANARY);
      const expected = readCheckpoint(bytes.slice());
      const actual = readCheckpoint(sliced);
      assert.deepEqual([...actual.tensors.keys()], [...expected.tensors.keys()]);
      for (const [name, tensor] of actual.tensors) {
        assert.deepEqual(tensor.data, expected.tensors.get(name)?.data, name);
        assert.ok(!tensor.data.some((value: number | bigint) => value === canaryFloat), `${name} holds canary values`);
        if (tensor.data.buffer === sliced.buffer) {
          assert.ok(tensor.data.byteOffset >= sliced.byteOffset, `${name} starts before the view`);
          assert.ok(
            tensor.data.byteOffset + tensor.data.byteLength <= sliced.byteOffset + sliced.byteLength,
            `${name} ends after the view`,
          );
        }
      }
    });
  }

  it('a legacy stream whose last storage is one element short is truncated even when the bytes after the view would complete it', () => {
    const storage = float32Storage('0', [1, 2, 3]);
    const whole = legacyCheckpoint({ orderedDict: [['w', tensorV2(storageId(storage, null), 0, [3])]] }, [storage]);
    const sliced = sliceOfLargerBuffer(whole).subarray(0, whole.length - 4);
    assertRefused(sliced, 'truncated', "checkpoint is truncated: storage '0' needs 12 bytes but only 8 remain");
  });
});

describe('allocation budget and typed array lengths ', () => {
  it('many stride-0 tensors on one element, each small, together past 4 × the file', () => {
    const storage = float32Storage('0', [7]);
    const entries = Array.from(
      { length: 64 },
      (_, index) => [`t${index}`, tensorV2(storageId(storage), 0, [4096], [0])] as const,
    );
    const bytes = zipCheckpoint({ orderedDict: entries }, [storage]);
    const limit = 4 * bytes.length;
    const refusedAt = Math.floor(limit / 16384);
    assertRefused(
      bytes,
      'too-large',
      `tensor 't${refusedAt}' would take 16384 bytes to materialise, past the limit of ${limit} bytes (4 × the file size) for all tensors`,
    );
  });

  it('2^53 elements on a stride of 0 are refused by name, not with "Invalid typed array length"', () => {
    const storage = float32Storage('0', [7]);
    assertRefused(
      zipCheckpoint({ orderedDict: [['w', tensorV2(storageId(storage), 0, [2 ** 26, 2 ** 27], [0, 0])]] }, [storage]),
      'too-large',
      "tensor 'w' has 67108864 × 134217728 elements, more than any file could justify",
    );
  });
});

describe('big integers ', () => {
  it('a 256 KB LONG4 is refused at once, with a short message', () => {
    const length = 256 * 1024;
    const data = rawPickle([0x8b, 0x00, 0x00, 0x04, 0x00], new Array<number>(length).fill(0x7f));
    const started = performance.now();
    assertRefused(
      zipCheckpoint(data, []),
      'malformed-pickle',
      "malformed pickle in data.pkl at byte 2: LONG4 integer of 262144 bytes: a checkpoint's integers fit in 8 bytes",
    );
    // A hang detector only (the old decoder took 68 s): not a timing test.
    assert.ok(performance.now() - started < 20_000);
  });

  it('a 16-byte LONG1', () => {
    const data = rawPickle([0x8a, 16], new Array<number>(16).fill(0xff));
    assertRefused(
      zipCheckpoint(data, []),
      'malformed-pickle',
      "malformed pickle in data.pkl at byte 2: LONG1 integer of 16 bytes: a checkpoint's integers fit in 8 bytes",
    );
  });

  it('a negative LONG4 length', () => {
    assertRefused(
      zipCheckpoint(rawPickle([0x8b, 0xff, 0xff, 0xff, 0xff]), []),
      'malformed-pickle',
      "malformed pickle in data.pkl at byte 2: LONG4 integer of -1 bytes: a checkpoint's integers fit in 8 bytes",
    );
  });

  it('8-byte integers in extras keep their sign and every digit', () => {
    const storage = float32Storage('0', [1]);
    const root = new Map<PickleValue, PickleValue>([
      ['state_dict', { orderedDict: [['w', tensorV2(storageId(storage), 0, [1])]] }],
      ['step', -(2n ** 40n)],
      ['seed', 2n ** 63n - 1n],
      ['offset', -(2n ** 63n)],
    ]);
    assert.deepEqual(readCheckpoint(zipCheckpoint(root, [storage])).extras, {
      step: -1099511627776,
      seed: '9223372036854775807',
      offset: '-9223372036854775808',
    });
  });
});

describe('memory amplification in the pickle ', () => {
  /** PROTO 2, `opcode` repeated to fill `bytes`, STOP. */
  const flood = (opcode: readonly number[], bytes: number): Uint8Array => {
    const count = Math.floor(bytes / opcode.length);
    const data = new Uint8Array(3 + count * opcode.length);
    data.set([0x80, 0x02]);
    for (let index = 0; index < count; index++) data.set(opcode, 2 + index * opcode.length);
    data[data.length - 1] = 0x2e;
    return data;
  };

  it('200 KB of EMPTY_DICT opcodes stop at 32 × the bytes read (+ 1 MiB), not at the heap limit', () => {
    const data = flood([0x7d], 200_000);
    // Each dict is charged 208 bytes (a Map and its stack slot) for its one byte: past 1 MiB + 32 × 5961 after 5959.
    assertRefused(
      zipCheckpoint(data, []),
      'too-large',
      'data.pkl builds more objects than its bytes can describe: 1239464 bytes of objects from its first 5961 bytes, ' +
        'past 32 × the bytes read + 1 MiB (opcode at byte 5960)',
    );
  });

  it('the same flood in a legacy object pickle', () => {
    const storage = float32Storage('0', [1]);
    const bytes = legacyCheckpoint({ raw: new Array<number>(100_000).fill(0x5d) }, [storage]);
    assertRefused(
      bytes,
      'too-large',
      'the object pickle builds more objects than its bytes can describe: 1514752 bytes of objects from its first 14567 bytes, ' +
        'past 32 × the bytes read + 1 MiB (opcode at byte 14566)',
    );
  });

  it('a legacy object pickle is budgeted on its own bytes read, not on the storages that follow it', () => {
    // 20,000 EMPTY_DICTs (4 MB of Maps) before 16 MB of storage: within 32 × "the rest of the file", so the
    // budget on the remaining bytes let them through; on the bytes read it stops them after the first 5961.
    const storage = float32Storage('0', new Array<number>(4_000_000).fill(0));
    const bytes = legacyCheckpoint({ raw: new Array<number>(20_000).fill(0x7d) }, [storage]);
    assertRefused(
      bytes,
      'too-large',
      'the object pickle builds more objects than its bytes can describe: 1239464 bytes of objects from its first 5961 bytes, ' +
        'past 32 × the bytes read + 1 MiB (opcode at byte 5960)',
    );
  });

  it('MARK floods (each opens a stack) and DUP floods are charged too', () => {
    for (const opcode of [[MARK], [0x29, 0x32]]) {
      assert.throws(
        () => readCheckpoint(zipCheckpoint(flood(opcode, 400_000), [])),
        (error: unknown) => error instanceof CheckpointError && error.code === 'too-large',
      );
    }
  });
});

describe('calls (found by the fuzz test)', () => {
  it('REDUCE with 100,000 arguments is refused, not a call-stack overflow', () => {
    // OrderedDict, MARK, EMPTY_TUPLE, DUP × 99,999, TUPLE, REDUCE
    const data = new Uint8Array(2 + GLOBAL_ORDERED_DICT.length - 2 + 2 + 100_000 + 3);
    let at = 0;
    data.set([0x80, 0x02, ...GLOBAL_ORDERED_DICT.slice(0, -2), MARK, 0x29], at);
    at += 2 + GLOBAL_ORDERED_DICT.length - 2 + 2;
    data.fill(0x32, at, at + 99_999);
    at += 99_999;
    data.set([0x74, 0x52, 0x2e], at);
    assertRefused(
      zipCheckpoint(data.subarray(0, at + 3), []),
      'malformed-pickle',
      `malformed pickle in data.pkl at byte ${at + 1}: REDUCE with 100000 arguments: allowed globals take at most 16`,
    );
  });
});

describe('messages stay short (found by the fuzz test)', () => {
  it('a global whose name is 100 NUL bytes is quoted in at most 80 characters once escaped', () => {
    const data = rawPickle([0x63, ...new TextEncoder().encode(`torch${'\0'.repeat(100)}\nx\n`)]);
    const shown = `${`torch${'\\x00'.repeat(75)}`.slice(0, 80)}…`;
    assertRefused(
      zipCheckpoint(data, []),
      'disallowed-global',
      `unsupported global '${shown}' in pickle: only tensor and container types are allowed (like torch.load(weights_only=True))`,
    );
  });
});
