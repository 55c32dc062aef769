import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { zipSync } from 'fflate';
import { CheckpointError, readCheckpoint } from '../../src/formats/pth/index.js';
import {
  float32Storage,
  legacyCheckpoint,
  pickle,
  storageId,
  tensorV2,
  zipCheckpoint,
  type PickleValue,
  type StorageSpec,
} from './craft.js';
import { assertRefused, fixtureBytes } from './helpers.js';

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

/** One float32 tensor 'w' of `shape` on storage '0'. */
function oneTensor(shape: readonly number[], storage: StorageSpec, stride?: readonly number[]): PickleValue {
  return { orderedDict: [['w', tensorV2(storageId(storage), 0, shape, stride)]] };
}

describe('input that is not a checkpoint', () => {
  it('an empty file', () => {
    assertRefused(new Uint8Array(0), 'empty', 'empty file');
  });

  it('text', () => {
    assertRefused(
      ascii('hello, world'),
      'not-a-checkpoint',
      'not a PyTorch checkpoint: expected a zip archive or a legacy pickle stream (magic 0x1950a86a20f9469cfc6c), got bytes 68 65 6c 6c …',
    );
  });

  it('an empty zip archive (only its end record)', () => {
    assertRefused(
      zipSync({}),
      'not-a-checkpoint',
      'not a PyTorch checkpoint: expected a zip archive or a legacy pickle stream (magic 0x1950a86a20f9469cfc6c), got bytes 50 4b 05 06 …',
    );
  });

  it('a two-byte file', () => {
    assertRefused(
      Uint8Array.of(1, 2),
      'not-a-checkpoint',
      'not a PyTorch checkpoint: expected a zip archive or a legacy pickle stream (magic 0x1950a86a20f9469cfc6c), got bytes 01 02',
    );
  });

  it('a pickle that is not a legacy stream (wrong magic)', () => {
    assertRefused(
      pickle(12345),
      'wrong-magic',
      'wrong magic number in legacy checkpoint: expected 0x1950a86a20f9469cfc6c, got 0x3039',
    );
    assertRefused(
      pickle(new Map([['a', 1]])),
      'wrong-magic',
      'wrong magic number in legacy checkpoint: expected 0x1950a86a20f9469cfc6c, got a dict of 1',
    );
  });

  it('a legacy stream whose magic number is off by one', () => {
    const storage = float32Storage('0', [1, 2]);
    const magic = Uint8Array.of(
      0x80,
      0x02,
      0x8a,
      0x0a,
      0x6d,
      0xfc,
      0x9c,
      0x46,
      0xf9,
      0x20,
      0x6a,
      0xa8,
      0x50,
      0x19,
      0x2e,
    );
    assertRefused(
      legacyCheckpoint(oneTensor([2], storage), [storage], { magic }),
      'wrong-magic',
      'wrong magic number in legacy checkpoint: expected 0x1950a86a20f9469cfc6c, got 0x1950a86a20f9469cfc6d',
    );
  });

  it('a tar archive of torch < 0.1.10', () => {
    const tar = new Uint8Array(1024);
    tar.set(ascii('ustar'), 257);
    assertRefused(
      tar,
      'unsupported-format',
      'unsupported checkpoint format: a tar archive, as torch < 0.1.10 wrote them; re-save it with a newer torch',
    );
  });
});

describe('truncated files', () => {
  it('a zip cut in half has no end record', () => {
    const bytes = fixtureBytes('cifar-small.pth');
    assertRefused(
      bytes.subarray(0, bytes.length >> 1),
      'truncated',
      'checkpoint is truncated: the zip archive has no end-of-central-directory record',
    );
  });

  it('a legacy stream cut inside a storage', () => {
    const storage = float32Storage('0', new Array<number>(300).fill(0.5));
    const bytes = legacyCheckpoint(oneTensor([300], storage), [storage]);
    assertRefused(
      bytes.subarray(0, bytes.length - 400),
      'truncated',
      "checkpoint is truncated: storage '0' needs 1200 bytes but only 800 remain",
    );
  });

  it("a legacy stream cut inside a storage's element count", () => {
    const storage = float32Storage('0', new Array<number>(300).fill(0.5));
    const bytes = legacyCheckpoint(oneTensor([300], storage), [storage]);
    assertRefused(
      bytes.subarray(0, bytes.length - 1200 - 5),
      'truncated',
      "checkpoint is truncated: storage '0' needs 1208 bytes but only 3 remain",
    );
  });

  it('a legacy stream cut inside the object pickle', () => {
    const bytes = fixtureBytes('cifar-small-legacy.pth');
    assertRefused(
      bytes.subarray(0, 200),
      'truncated',
      'checkpoint is truncated: the object pickle ends after 63 bytes, inside its GLOBAL opcode at byte 60',
    );
  });

  it('a zip whose storage entry is shorter than the persistent id says', () => {
    const storage = { ...float32Storage('0', [1, 2, 3]), numel: 5 };
    assertRefused(
      zipCheckpoint(oneTensor([3], storage), [storage]),
      'truncated',
      "checkpoint is truncated: storage '0' needs 20 bytes but entry 'archive/data/0' holds 12",
    );
  });

  it('a persistent id claiming more bytes than the whole file (refused before allocating)', () => {
    const storage = { ...float32Storage('0', [1]), numel: 2 ** 40 };
    const message = `checkpoint is truncated: storage '0' needs ${2 ** 42} bytes`;
    assertRefused(
      zipCheckpoint(oneTensor([1], storage), [storage]),
      'truncated',
      `${message} but entry 'archive/data/0' holds 4`,
    );
    assertRefused(legacyCheckpoint(oneTensor([1], storage), [storage]), 'truncated', `${message} but only 4 remain`);
  });
});

describe('tensors and storages that disagree', () => {
  it('a storage shorter than its tensor', () => {
    const storage = float32Storage('0', new Array<number>(100).fill(1));
    const object: PickleValue = {
      orderedDict: [['features.0.weight', tensorV2(storageId(storage), 0, [96, 3, 11, 11])]],
    };
    const message = "tensor 'features.0.weight' needs 34848 elements from offset 0 but storage '0' holds 100";
    assertRefused(zipCheckpoint(object, [storage]), 'storage-too-small', message);
    assertRefused(legacyCheckpoint(object, [storage]), 'storage-too-small', message);
  });

  it('a strided tensor that reaches past its storage', () => {
    const storage = float32Storage('0', new Array<number>(10).fill(1));
    assertRefused(
      zipCheckpoint({ orderedDict: [['w', tensorV2(storageId(storage), 3, [3, 2], [3, 1])]] }, [storage]),
      'storage-too-small',
      "tensor 'w' needs 8 elements from offset 3 but storage '0' holds 10",
    );
  });

  it('a tensor of a trillion elements on one element with stride 0 (refused before allocating)', () => {
    const storage = float32Storage('0', [1]);
    const bytes = zipCheckpoint(oneTensor([1e6, 1e6], storage, [0, 0]), [storage]);
    assertRefused(
      bytes,
      'too-large',
      `tensor 'w' would take 4000000000000 bytes to materialise, past the limit of ${4 * bytes.length} bytes (4 × the file size) for all tensors`,
    );
  });

  it('a zip without the storage entry', () => {
    const storage = float32Storage('7', [1, 2]);
    assertRefused(
      zipCheckpoint(oneTensor([2], storage), []),
      'missing-entry',
      "checkpoint is missing storage '7': no entry 'archive/data/7'",
    );
  });

  it('a legacy element count that disagrees with the persistent id', () => {
    const storage = float32Storage('0', [1, 2]);
    const bytes = legacyCheckpoint(oneTensor([2], { ...storage, numel: 3 }), [storage]);
    assertRefused(bytes, 'bad-persistent-id', "storage '0' has 2 elements in the file but its persistent id says 3");
  });

  it('a malformed persistent id', () => {
    const object: PickleValue = { orderedDict: [['w', tensorV2({ persistentId: ['storage', 'x'] }, 0, [1])]] };
    assertRefused(
      zipCheckpoint(object, []),
      'bad-persistent-id',
      "malformed persistent id in data.pkl: expected ('storage', storage type, key, location, numel), got a tuple or list of 2",
    );
  });

  it('a negative tensor size', () => {
    const storage = float32Storage('0', [1, 2]);
    const object: PickleValue = {
      orderedDict: [
        [
          'w',
          {
            call: { global: ['torch._utils', '_rebuild_tensor_v2'] },
            args: [storageId(storage), 0, [-2], [1], false, null],
          },
        ],
      ],
    };
    assertRefused(
      zipCheckpoint(object, [storage]),
      'bad-tensor',
      'malformed tensor in data.pkl: _rebuild_tensor_v2 expects a size of non-negative integers, got a tuple or list of 1',
    );
  });

  it('a complex storage', () => {
    const object: PickleValue = {
      persistentId: ['storage', { global: ['torch', 'ComplexFloatStorage'] }, '0', 'cpu', 1],
    };
    assertRefused(
      zipCheckpoint(object, []),
      'unsupported-dtype',
      "unsupported storage type 'torch.ComplexFloatStorage' in pickle: only float, integer and bool storages can be read",
    );
  });
});

describe('zip archives that are not torch checkpoints', () => {
  it("an entry named '../x'", () => {
    assertRefused(zipSync({ '../x': ascii('boo') }, { level: 0 }), 'unsafe-entry-name', "unsafe zip entry name '../x'");
  });

  it('a real checkpoint with an extra entry climbing out of its folder', () => {
    const storage = float32Storage('0', [1]);
    const bytes = zipCheckpoint(oneTensor([1], storage), [storage], {
      extraEntries: { 'archive/../../evil': ascii('x') },
    });
    assertRefused(bytes, 'unsafe-entry-name', "unsafe zip entry name 'archive/../../evil'");
  });

  it('an absolute entry name', () => {
    assertRefused(
      zipSync({ '/etc/passwd': ascii('x') }, { level: 0 }),
      'unsafe-entry-name',
      "unsafe zip entry name '/etc/passwd'",
    );
  });

  it('a zip without data.pkl', () => {
    assertRefused(
      zipSync({ 'model/readme.txt': ascii('hello') }, { level: 0 }),
      'missing-entry',
      "not a PyTorch checkpoint: the zip archive has no 'model/data.pkl' entry (found 'model/readme.txt')",
    );
  });

  it('an unknown byte order', () => {
    const storage = float32Storage('0', [1]);
    assertRefused(
      zipCheckpoint(oneTensor([1], storage), [storage], { byteorder: 'middle' }),
      'malformed-zip',
      "unknown byte order 'middle' in 'archive/byteorder': expected 'little' or 'big'",
    );
  });
});

describe('pickles that are malformed or hostile', () => {
  it('an unknown opcode', () => {
    assertRefused(
      zipCheckpoint(Uint8Array.of(0x80, 0x02, 0xff, 0x2e), []),
      'malformed-pickle',
      'malformed pickle in data.pkl at byte 2: unknown opcode 0xff',
    );
  });

  it('a BINBYTES length of 2^32 - 5 (pickleparser read it as -5 and stepped back into an endless loop)', () => {
    const data = Uint8Array.of(0x80, 0x02, 0x42, 0xfb, 0xff, 0xff, 0xff, 0x2e);
    assertRefused(
      zipCheckpoint(data, []),
      'truncated',
      'checkpoint is truncated: data.pkl ends after 8 bytes, inside its BINBYTES opcode at byte 2',
    );
  });

  it('a negative BINSTRING length', () => {
    const data = Uint8Array.of(0x80, 0x02, 0x54, 0xfb, 0xff, 0xff, 0xff, 0x2e);
    assertRefused(
      zipCheckpoint(data, []),
      'malformed-pickle',
      'malformed pickle in data.pkl at byte 2: BINSTRING has a negative length -5',
    );
  });

  it('a pickle without STOP', () => {
    assertRefused(
      zipCheckpoint(Uint8Array.of(0x80, 0x02, 0x4e), []),
      'truncated',
      'checkpoint is truncated: data.pkl ends after 3 bytes, before its STOP opcode',
    );
  });

  it('a global named through STACK_GLOBAL', () => {
    const data = Uint8Array.of(
      0x80,
      0x04,
      ...pickle('os').subarray(2, -1),
      ...pickle('system').subarray(2, -1),
      0x93,
      0x2e,
    );
    assertRefused(
      zipCheckpoint(data, []),
      'disallowed-global',
      "unsupported global 'os.system' in pickle: only tensor and container types are allowed (like torch.load(weights_only=True))",
    );
  });

  it('BUILD aimed at an allowed global cannot change it, for this read or the next', () => {
    // GLOBAL collections.OrderedDict, then BUILD with {'name': 'x'}: pickleparser would Object.assign onto our function.
    const data = Uint8Array.of(
      0x80,
      0x02,
      ...ascii('ccollections\nOrderedDict\n'),
      0x7d,
      ...pickle('call').subarray(2, -1),
      ...pickle('x').subarray(2, -1),
      0x73, // {'call': 'x'}
      0x62, // BUILD
      0x2e,
    );
    assert.throws(
      () => readCheckpoint(zipCheckpoint(data, [])),
      (error: unknown) => error instanceof CheckpointError && error.code === 'malformed-pickle',
    );
    const storage = float32Storage('0', [1, 2]);
    assert.deepEqual(
      [...(readCheckpoint(zipCheckpoint(oneTensor([2], storage), [storage])).tensors.get('w')?.data ?? [])],
      [1, 2],
    );
  });

  it('calling a storage class', () => {
    assertRefused(
      zipCheckpoint({ call: { global: ['torch', 'FloatStorage'] }, args: [3] }, []),
      'malformed-pickle',
      'malformed pickle in data.pkl: torch.FloatStorage is called instead of named in a persistent id',
    );
  });
});

describe('objects that are not a state_dict', () => {
  it('a list', () => {
    assertRefused(
      zipCheckpoint({ list: [1, 2] }, []),
      'not-a-state-dict',
      'expected a state_dict (a mapping of names to tensors), found a tuple or list of 2',
    );
  });

  it('a dict of training state without a state_dict', () => {
    assertRefused(
      zipCheckpoint(
        new Map<PickleValue, PickleValue>([
          ['epoch', 3],
          ['arch', 'nin'],
        ]),
        [],
      ),
      'not-a-state-dict',
      "expected a state_dict (a mapping of names to tensors) or a dict with one under 'state_dict', 'model' or 'net', but its entry 'epoch' is the number 3",
    );
  });

  it("a 'state_dict' entry that holds a list", () => {
    assertRefused(
      zipCheckpoint(new Map<PickleValue, PickleValue>([['state_dict', { list: [] }]]), []),
      'not-a-state-dict',
      "expected 'state_dict' to hold a state_dict (a mapping of names to tensors), found a tuple or list of 0",
    );
  });

  it("a 'model' entry with a non-tensor value", () => {
    const storage = float32Storage('0', [1]);
    const model = new Map<PickleValue, PickleValue>([
      ['w', tensorV2(storageId(storage), 0, [1])],
      ['note', 'hi'],
    ]);
    assertRefused(
      zipCheckpoint(new Map<PickleValue, PickleValue>([['model', model]]), [storage]),
      'not-a-state-dict',
      "expected 'model' to hold a state_dict (a mapping of names to tensors), but its entry 'note' is the string 'hi'",
    );
  });
});
