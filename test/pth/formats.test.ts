import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isFloatTensor, readCheckpoint } from '../../src/formats/pth/index.js';
import {
  float32Storage,
  int64Storage,
  legacyCheckpoint,
  storageId,
  tensorV1,
  tensorV2,
  zipCheckpoint,
  type PickleValue,
  type StorageSpec,
} from './craft.js';

const dict = (entries: ReadonlyArray<readonly [PickleValue, PickleValue]>): Map<PickleValue, PickleValue> =>
  new Map(entries);

function storageOf(
  type: StorageSpec['type'],
  itemSize: number,
  values: readonly number[],
  set: (view: DataView, at: number, value: number) => void,
): StorageSpec {
  const bytes = new Uint8Array(values.length * itemSize);
  const view = new DataView(bytes.buffer);
  values.forEach((value, index) => set(view, index * itemSize, value));
  return { key: '0', type, numel: values.length, bytes };
}

describe('torch <= 0.3 streams', () => {
  it('reads tensors rebuilt with _rebuild_tensor on a storage view (view_metadata)', () => {
    const root = float32Storage('root', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const view = storageId(root, ['view', 2, 4]);
    const object: PickleValue = {
      orderedDict: [
        ['w', tensorV1(view, 1, [3])],
        ['all', tensorV1(storageId(root), 0, [2, 5])],
      ],
    };
    const checkpoint = readCheckpoint(legacyCheckpoint(object, [root]));
    assert.equal(checkpoint.format, 'legacy-v1');
    assert.deepEqual([...(checkpoint.tensors.get('w')?.data ?? [])], [3, 4, 5]);
    assert.deepEqual(checkpoint.tensors.get('all')?.shape, [2, 5]);
  });

  it('refuses a view that reaches past its storage', () => {
    const root = float32Storage('root', [0, 1, 2, 3]);
    assert.throws(
      () =>
        readCheckpoint(
          legacyCheckpoint({ orderedDict: [['w', tensorV1(storageId(root, ['view', 2, 4]), 0, [4])]] }, [root]),
        ),
      {
        code: 'storage-too-small',
        message: "a view of storage 'root' needs 4 elements from offset 2 but the storage holds 4",
      },
    );
  });
});

describe('strides, offsets and shapes', () => {
  const storage = float32Storage('0', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);

  it('gathers a transposed tensor into row-major order', () => {
    const checkpoint = readCheckpoint(
      zipCheckpoint({ orderedDict: [['t', tensorV2(storageId(storage), 0, [4, 3], [1, 4])]] }, [storage]),
    );
    assert.deepEqual([...(checkpoint.tensors.get('t')?.data ?? [])], [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
  });

  it('gathers a strided slice at an offset, and one expanded with stride 0', () => {
    const object: PickleValue = {
      orderedDict: [
        ['slice', tensorV2(storageId(storage), 1, [2, 2], [6, 2])],
        ['expanded', tensorV2(storageId(storage), 5, [2, 3], [0, 0])],
      ],
    };
    const checkpoint = readCheckpoint(zipCheckpoint(object, [storage]));
    assert.deepEqual([...(checkpoint.tensors.get('slice')?.data ?? [])], [1, 3, 7, 9]);
    assert.deepEqual([...(checkpoint.tensors.get('expanded')?.data ?? [])], [5, 5, 5, 5, 5, 5]);
  });

  it('reads 0-dim and empty tensors, and sizes given as torch.Size', () => {
    const object: PickleValue = {
      orderedDict: [
        ['scalar', tensorV2(storageId(storage), 7, [], [])],
        ['empty', tensorV2(storageId(storage), 0, [0, 3], [3, 1])],
        [
          'sized',
          {
            call: { global: ['torch._utils', '_rebuild_tensor_v2'] },
            args: [
              storageId(storage),
              0,
              { call: { global: ['torch', 'Size'] }, args: [[2, 2]] },
              [2, 1],
              false,
              { orderedDict: [] },
            ],
          },
        ],
      ],
    };
    const checkpoint = readCheckpoint(zipCheckpoint(object, [storage]));
    assert.deepEqual(checkpoint.tensors.get('scalar'), { dtype: 'float32', shape: [], data: new Float32Array([7]) });
    assert.deepEqual(checkpoint.tensors.get('empty'), { dtype: 'float32', shape: [0, 3], data: new Float32Array(0) });
    assert.deepEqual([...(checkpoint.tensors.get('sized')?.data ?? [])], [0, 1, 2, 3]);
  });

  it('unwraps a Parameter saved as such (_rebuild_parameter)', () => {
    const parameter: PickleValue = {
      call: { global: ['torch._utils', '_rebuild_parameter'] },
      args: [tensorV2(storageId(storage), 0, [12]), true, { orderedDict: [] }],
    };
    const checkpoint = readCheckpoint(zipCheckpoint({ orderedDict: [['p', parameter]] }, [storage]));
    assert.equal(checkpoint.tensors.get('p')?.data.length, 12);
  });
});

describe('dtypes', () => {
  const cases: ReadonlyArray<readonly [StorageSpec, string, unknown]> = [
    [
      storageOf('DoubleStorage', 8, [0.1, -2], (v, at, x) => v.setFloat64(at, x, true)),
      'float64',
      new Float32Array([0.1, -2]),
    ],
    [
      storageOf('HalfStorage', 2, [0x3c00, 0xc000, 0x7c00, 0x0001], (v, at, x) => v.setUint16(at, x, true)),
      'float16',
      new Float32Array([1, -2, Infinity, 2 ** -24]),
    ],
    [
      storageOf('BFloat16Storage', 2, [0x3f80, 0xc040], (v, at, x) => v.setUint16(at, x, true)),
      'bfloat16',
      new Float32Array([1, -3]),
    ],
    [int64Storage('0', [-1n, 2n ** 62n]), 'int64', new BigInt64Array([-1n, 2n ** 62n])],
    [storageOf('IntStorage', 4, [-7, 8], (v, at, x) => v.setInt32(at, x, true)), 'int32', new Int32Array([-7, 8])],
    [storageOf('ShortStorage', 2, [-7, 8], (v, at, x) => v.setInt16(at, x, true)), 'int16', new Int16Array([-7, 8])],
    [storageOf('CharStorage', 1, [-7, 8], (v, at, x) => v.setInt8(at, x)), 'int8', new Int8Array([-7, 8])],
    [storageOf('ByteStorage', 1, [250, 8], (v, at, x) => v.setUint8(at, x)), 'uint8', new Uint8Array([250, 8])],
    [storageOf('BoolStorage', 1, [1, 0], (v, at, x) => v.setUint8(at, x)), 'bool', new Uint8Array([1, 0])],
  ];
  for (const [storage, dtype, expected] of cases) {
    it(`${dtype}: floating ones become float32, the others stay exact`, () => {
      for (const read of [zipCheckpoint, legacyCheckpoint]) {
        const checkpoint = readCheckpoint(
          read({ orderedDict: [['t', tensorV2(storageId(storage), 0, [storage.numel])]] }, [storage]),
        );
        const tensor = checkpoint.tensors.get('t');
        assert.ok(tensor);
        assert.equal(tensor.dtype, dtype);
        assert.deepEqual(tensor.data, expected);
      }
    });
  }

  it('keeps float64 and float16 as they are with keepDtype', () => {
    const [double, half] = cases;
    const doubles = readCheckpoint(
      zipCheckpoint({ orderedDict: [['t', tensorV2(storageId(double![0]), 0, [2])]] }, [double![0]]),
      { keepDtype: true },
    );
    assert.deepEqual(doubles.tensors.get('t')?.data, new Float64Array([0.1, -2]));
    const halves = readCheckpoint(
      zipCheckpoint({ orderedDict: [['t', tensorV2(storageId(half![0]), 0, [4])]] }, [half![0]]),
      { keepDtype: true },
    );
    assert.deepEqual(halves.tensors.get('t')?.data, new Uint16Array([0x3c00, 0xc000, 0x7c00, 0x0001]));
  });

  it('byte-swaps every element size when the zip says big-endian', () => {
    const values = [1.5, -2.25];
    const bytes = new Uint8Array(16);
    values.forEach((value, index) => new DataView(bytes.buffer).setFloat64(index * 8, value, false));
    const storage: StorageSpec = { key: '0', type: 'DoubleStorage', numel: 2, bytes };
    const longs = new Uint8Array(8);
    new DataView(longs.buffer).setBigInt64(0, -3n, false);
    const long: StorageSpec = { key: '1', type: 'LongStorage', numel: 1, bytes: longs };
    const object: PickleValue = {
      orderedDict: [
        ['d', tensorV2(storageId(storage), 0, [2])],
        ['n', tensorV2(storageId(long), 0, [])],
      ],
    };
    const checkpoint = readCheckpoint(zipCheckpoint(object, [storage, long], { byteorder: 'big' }), {
      keepDtype: true,
    });
    assert.deepEqual(checkpoint.tensors.get('d')?.data, new Float64Array(values));
    assert.deepEqual(checkpoint.tensors.get('n')?.data, new BigInt64Array([-3n]));
  });

  it('isFloatTensor tells Float32Array tensors from integer ones', () => {
    const [, , , long] = cases;
    const checkpoint = readCheckpoint(
      zipCheckpoint(
        {
          orderedDict: [
            ['n', tensorV2(storageId(long![0]), 0, [2])],
            ['f', tensorV2(storageId(float32Storage('1', [1])), 0, [1])],
          ],
        },
        [long![0], float32Storage('1', [1])],
      ),
    );
    assert.deepEqual(
      [...checkpoint.tensors].filter(([, tensor]) => isFloatTensor(tensor)).map(([key]) => key),
      ['f'],
    );
  });
});

describe('wrappers, prefixes and extras', () => {
  const storage = float32Storage('0', [1, 2]);
  const weights = (...keys: string[]): PickleValue => ({
    orderedDict: keys.map((key) => [key, tensorV2(storageId(storage), 0, [2])] as const),
  });

  it("strips 'module.' only when every key has it", () => {
    const all = readCheckpoint(zipCheckpoint(weights('module.a', 'module.b'), [storage]));
    assert.equal(all.strippedPrefix, 'module.');
    assert.deepEqual([...all.tensors.keys()], ['a', 'b']);
    const some = readCheckpoint(zipCheckpoint(weights('module.a', 'b'), [storage]));
    assert.equal(some.strippedPrefix, '');
    assert.deepEqual([...some.tensors.keys()], ['module.a', 'b']);
  });

  it('collects scalars next to the state_dict, one-element tensors included, and leaves containers out', () => {
    const accuracy = float32Storage('1', [89.5]);
    const steps = int64Storage('2', [1234n]);
    const object = dict([
      ['state_dict', weights('module.w')],
      ['best_acc', tensorV2(storageId(accuracy), 0, [])],
      ['steps', tensorV2(storageId(steps), 0, [1])],
      ['epoch', 120],
      ['lr', { float: 0.5 }],
      ['big', 2n ** 40n],
      ['arch', 'nin'],
      ['done', true],
      ['note', null],
      ['__proto__', 1],
      ['optimizer', dict([['state', dict([])]])],
      ['milestones', { list: [80, 160] }],
    ]);
    const checkpoint = readCheckpoint(zipCheckpoint(object, [storage, accuracy, steps]));
    assert.equal(checkpoint.wrapper, 'state_dict');
    assert.equal(checkpoint.strippedPrefix, 'module.');
    assert.deepEqual(Object.entries(checkpoint.extras), [
      ['best_acc', 89.5],
      ['steps', 1234],
      ['epoch', 120],
      ['lr', 0.5],
      ['big', 2 ** 40],
      ['arch', 'nin'],
      ['done', true],
      ['note', null],
      ['__proto__', 1],
    ]);
    assert.equal(Object.getPrototypeOf(checkpoint.extras), Object.prototype);
  });

  it("finds the state_dict under 'model'", () => {
    const checkpoint = readCheckpoint(
      legacyCheckpoint(
        dict([
          ['model', weights('w')],
          ['epoch', 3],
        ]),
        [storage],
      ),
    );
    assert.equal(checkpoint.wrapper, 'model');
    assert.deepEqual(checkpoint.extras, { epoch: 3 });
  });

  it('accepts an empty state_dict', () => {
    const checkpoint = readCheckpoint(zipCheckpoint({ orderedDict: [] }, []));
    assert.equal(checkpoint.tensors.size, 0);
  });

  it('reads a Node Buffer like any Uint8Array', () => {
    const bytes = zipCheckpoint(weights('w'), [storage]);
    const checkpoint = readCheckpoint(Buffer.from(bytes));
    assert.deepEqual(checkpoint.tensors.get('w')?.data, new Float32Array([1, 2]));
  });
});
