/**
 * Where a checkpoint keeps its tensors (src/formats/pth/tensor-dictionaries.ts) and what the objects beside them become
 * (src/formats/pth/pickle/placeholders.ts): inert stand-ins that record a class name and keep BUILD's state as data, so
 * that a pickled nn.Module's parameters can be read and nothing is ever constructed or run.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CheckpointError, openCheckpointContents, readCheckpoint } from '../../src/formats/pth/index.js';
import { MAX_MODULE_TENSORS } from '../../src/formats/pth/tensor-dictionaries.js';
import { float32Storage, pickle, storageId, tensorV2, zipCheckpoint, type PickleValue } from './craft.js';

const opcodes = (value: PickleValue): number[] => [...pickle(value).subarray(2, -1)];
const NEWOBJ = 0x81;
const BUILD = 0x62;
const EMPTY_TUPLE = 0x29;
const BINPUT = 0x71;
const BINGET = 0x68;

/** `cls.__new__(cls)` (NEWOBJ, as protocol 2 pickles an object) then BUILD with `state`. */
function newObject(module: string, name: string, state: PickleValue): PickleValue {
  return { raw: [...opcodes({ global: [module, name] }), EMPTY_TUPLE, NEWOBJ, ...opcodes(state), BUILD] };
}

/** An nn.Module as torch.save(model) pickles it: `_parameters`, `_buffers`, `_modules` in its __dict__. */
function module(
  name: string,
  parameters: Array<readonly [string, PickleValue]>,
  children: Array<readonly [string, PickleValue]>,
) {
  return newObject(
    'torch.nn.modules.module',
    name,
    new Map<PickleValue, PickleValue>([
      ['training', true],
      ['_parameters', { orderedDict: parameters }],
      ['_buffers', { orderedDict: [] }],
      ['_non_persistent_buffers_set', { call: { global: ['builtins', 'set'] }, args: [[{ list: [] }]] }],
      ['_modules', { orderedDict: children }],
    ]),
  );
}

const storage = float32Storage('0', [1, 2, 3, 4]);
const matrix = (offset = 0): PickleValue => tensorV2(storageId(storage), offset, [1, 2]);
const read = (root: PickleValue) => openCheckpointContents(zipCheckpoint(root, [storage]));

describe('tensor dictionaries, wherever the file keeps them', () => {
  it('nested dicts and lists: each found with its Python path and its --key', () => {
    const stateDict: PickleValue = { orderedDict: [['w', matrix()]] };
    const contents = read(
      new Map<PickleValue, PickleValue>([
        ['epoch', 3],
        ['runs', { list: [new Map<PickleValue, PickleValue>([['model_state', stateDict]])] }],
      ]),
    );
    assert.deepEqual(
      contents.dictionaries.map((d) => [d.path, d.key]),
      [["checkpoint['runs'][0]['model_state']", 'runs.0.model_state']],
    );
    const checkpoint = contents.read(contents.dictionaries[0]!);
    assert.deepEqual(checkpoint.tensors.get('w')!.data, Float32Array.of(1, 2));
    assert.equal(checkpoint.wrapper, 'model_state');
  });

  it("readCheckpoint (training's reader) takes the file's one dict of tensors where no usual key holds it", () => {
    const root = new Map<PickleValue, PickleValue>([
      ['epoch', 60],
      ['network', { orderedDict: [['w', matrix()]] }],
      ['milestones', { call: { global: ['collections', 'Counter'] }, args: [new Map([[30, 1]])] }],
    ]);
    const checkpoint = readCheckpoint(zipCheckpoint(root, [storage]));
    assert.deepEqual(
      [checkpoint.wrapper, [...checkpoint.tensors.keys()], checkpoint.extras, checkpoint.placeholders],
      ['network', ['w'], { epoch: 60 }, ['collections.Counter']],
    );
    // Two of them: which is the network is the converter's question; readCheckpoint refuses as before.
    const two = new Map<PickleValue, PickleValue>([
      ['a', { orderedDict: [['w', matrix()]] }],
      ['b', { orderedDict: [['w', matrix(2)]] }],
    ]);
    assert.throws(() => readCheckpoint(zipCheckpoint(two, [storage])), { name: 'CheckpointError' });
  });

  it("an optimizer's per-parameter buffers are no state_dict: a file of only those has none", () => {
    const optimizer = new Map<PickleValue, PickleValue>([
      [
        'state',
        new Map<PickleValue, PickleValue>([[0, new Map<PickleValue, PickleValue>([['momentum_buffer', matrix()]])]]),
      ],
      ['param_groups', { list: [new Map<PickleValue, PickleValue>([['lr', { float: 0.1 }]])] }],
    ]);
    assert.deepEqual(read(new Map<PickleValue, PickleValue>([['optimizer', optimizer]])).dictionaries, []);
  });

  it("a pickled module: its parameters and its children's, named and ordered as state_dict() does", () => {
    const conv = module(
      'Conv2d',
      [
        ['weight', matrix()],
        ['bias', null],
      ],
      [],
    );
    const net = module(
      'Net',
      [['scale', matrix(2)]],
      [
        ['features', conv],
        ['act', module('ReLU', [], [])],
      ],
    );
    const contents = read(new Map<PickleValue, PickleValue>([['model', net]]));
    assert.equal(contents.dictionaries.length, 1);
    const [found] = contents.dictionaries;
    assert.equal(found!.moduleClass, 'torch.nn.modules.module.Net');
    assert.deepEqual(
      found!.tensors.map(([key]) => key),
      ['scale', 'features.weight'],
    );
    assert.deepEqual(contents.read(found!).tensors.get('features.weight')!.data, Float32Array.of(1, 2));
  });

  it('copyreg._reconstructor names the class it was given; REDUCE on a stand-in records its own name', () => {
    const namespace: PickleValue = {
      raw: [
        ...opcodes({
          call: { global: ['copyreg', '_reconstructor'] },
          args: [{ global: ['argparse', 'Namespace'] }, { global: ['builtins', 'object'] }, null],
        }),
        ...opcodes(new Map<PickleValue, PickleValue>([['lr', { float: 0.1 }]])),
        BUILD,
      ],
    };
    const contents = read(
      new Map<PickleValue, PickleValue>([
        ['state_dict', { orderedDict: [['w', matrix()]] }],
        ['args', namespace],
        ['milestones', { call: { global: ['collections', 'Counter'] }, args: [new Map([[30, 1]])] }],
        ['loss', newObject('torch.nn.modules.loss', 'CrossEntropyLoss', new Map())],
        [
          'accuracies',
          {
            raw: [
              ...opcodes({
                call: { global: ['numpy.core.multiarray', '_reconstruct'] },
                args: [{ global: ['numpy', 'ndarray'] }, [0], 'b'],
              }),
              ...opcodes([1, [2], { global: ['numpy', 'dtype'] }, false, 'raw bytes']),
              BUILD,
            ],
          },
        ],
      ]),
    );
    assert.deepEqual(contents.read(contents.dictionaries[0]!).placeholders, [
      'argparse.Namespace',
      'collections.Counter',
      'torch.nn.modules.loss.CrossEntropyLoss',
      'numpy.ndarray',
    ]);
  });

  it("'__proto__' keys in a module's state and parameters stay keys: no object is re-parented", () => {
    const net = newObject(
      'torch.nn.modules.module',
      'Net',
      new Map<PickleValue, PickleValue>([
        ['__proto__', { orderedDict: [['qualifiedName', 'x']] }],
        ['_parameters', { orderedDict: [['__proto__', matrix()]] }],
        ['_buffers', { orderedDict: [] }],
        ['_modules', { orderedDict: [] }],
      ]),
    );
    const contents = read(new Map<PickleValue, PickleValue>([['__proto__', net]]));
    const [found] = contents.dictionaries;
    assert.deepEqual(
      found!.tensors.map(([key]) => key),
      ['__proto__'],
    );
    const tensors = contents.read(found!).tensors;
    assert.deepEqual([...tensors.keys()], ['__proto__']);
    assert.equal(Object.getPrototypeOf(tensors), Map.prototype);
  });

  it('code execution and system access are refused by name, also as a class NEWOBJ would construct', () => {
    for (const [module, name] of [
      ['os', 'system'],
      ['builtins', 'eval'],
      ['subprocess', 'Popen'],
      ['torch._utils', '_rebuild_qtensor'],
    ] as const) {
      assert.throws(() => read(new Map([['x', newObject(module, name, new Map())]])), {
        name: 'CheckpointError',
        message: `unsupported global '${module}.${name}' in pickle: only tensor and container types are allowed (like torch.load(weights_only=True))`,
      });
    }
  });

  it('cycles through the memo end; nesting deeper than any checkpoint is not walked', () => {
    // A module whose _modules holds itself, and a list that holds itself.
    const selfModule: PickleValue = {
      raw: [
        ...opcodes({ global: ['__main__', 'Net'] }),
        EMPTY_TUPLE,
        NEWOBJ,
        BINPUT,
        1,
        ...opcodes(
          new Map<PickleValue, PickleValue>([
            ['_parameters', { orderedDict: [['w', matrix()]] }],
            ['_buffers', { orderedDict: [] }],
            ['_modules', { orderedDict: [['again', { raw: [BINGET, 1] }]] }],
          ]),
        ),
        BUILD,
      ],
    };
    const selfList: PickleValue = { raw: [0x5d, BINPUT, 2, BINGET, 2, 0x61] }; // EMPTY_LIST, PUT, GET, APPEND
    const contents = read(
      new Map<PickleValue, PickleValue>([
        ['model', selfModule],
        ['loop', selfList],
      ]),
    );
    assert.deepEqual(
      contents.dictionaries[0]!.tensors.map(([key]) => key),
      ['w'],
    );
    // 10,000 lists nested in one another around a state_dict: found only within the walk's depth, never overflowing.
    const deep: PickleValue = {
      raw: [
        ...new Array<number>(10_000).fill(0x5d),
        ...opcodes({ orderedDict: [['w', matrix()]] }),
        ...new Array<number>(10_000).fill(0x61),
      ],
    };
    assert.deepEqual(read(deep).dictionaries, []);
  });

  it('modules that share one large submodule through the memo cannot name it quadratically often', () => {
    const many = 1 + Math.ceil(MAX_MODULE_TENSORS / 200);
    const shared: PickleValue = {
      raw: [
        ...opcodes(
          module(
            'Big',
            Array.from({ length: 200 }, (_, i) => [`p${i}`, matrix()] as const),
            [],
          ),
        ),
        BINPUT,
        3,
      ],
    };
    const users = Array.from(
      { length: many },
      (_, i) =>
        [
          `m${i}`,
          i === 0 ? module('User', [], [['big', shared]]) : module('User', [], [['big', { raw: [BINGET, 3] }]]),
        ] as const,
    );
    assert.throws(
      () => read(new Map<PickleValue, PickleValue>(users)),
      (error: unknown) => {
        assert.ok(error instanceof CheckpointError);
        assert.equal(error.code, 'too-large');
        assert.equal(
          error.message,
          `the pickled modules name more than ${MAX_MODULE_TENSORS} tensors: no network has that many`,
        );
        return true;
      },
    );
  });
});
