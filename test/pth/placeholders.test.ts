import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readCheckpoint } from '../../src/formats/pth/index.js';
import { float32Storage, pickle, storageId, tensorV2, zipCheckpoint, type PickleValue } from './craft.js';

/** The opcodes of one value, without protocol header and STOP, to splice into a hand-made pickle. */
const opcodes = (value: PickleValue): number[] => [...pickle(value).subarray(2, -1)];

/** `cls(*args)` followed by BUILD with `state`: how pickle restores an object's __dict__. */
function built(module: string, name: string, state: PickleValue): PickleValue {
  return { raw: [...opcodes({ call: { global: [module, name] }, args: [] }), ...opcodes(state), 0x62] };
}

const storage = float32Storage('0', [1, 2]);
const stateDict: PickleValue = { orderedDict: [['w', tensorV2(storageId(storage), 0, [2])]] };

describe('objects beside the state_dict kept as inert placeholders', () => {
  it('a pickled optimizer and an argparse Namespace are named, never constructed; the tensors read as usual', () => {
    const optimizerState = new Map<PickleValue, PickleValue>([
      ['state', { call: { global: ['collections', 'defaultdict'] }, args: [{ global: ['builtins', 'dict'] }] }],
      ['param_groups', { list: [new Map<PickleValue, PickleValue>([['lr', { float: 0.1 }]])] }],
    ]);
    const root = new Map<PickleValue, PickleValue>([
      ['epoch', 3],
      ['state_dict', stateDict],
      ['optimizer', built('torch.optim.sgd', 'SGD', optimizerState)],
      [
        'args',
        built(
          'argparse',
          'Namespace',
          new Map<PickleValue, PickleValue>([
            ['lr', { float: 0.1 }],
            ['__setstate__', 'x'],
          ]),
        ),
      ],
    ]);
    const checkpoint = readCheckpoint(zipCheckpoint(root, [storage]));
    assert.deepEqual([...checkpoint.tensors.keys()], ['w']);
    assert.deepEqual(checkpoint.tensors.get('w')!.data, Float32Array.of(1, 2));
    assert.deepEqual(checkpoint.extras, { epoch: 3 });
    assert.deepEqual(checkpoint.placeholders, ['optimizer (torch.optim.sgd.SGD)', 'args (argparse.Namespace)']);
  });

  it('inside the state_dict a placeholder is still refused, by what it is', () => {
    const inner: PickleValue = {
      orderedDict: [
        ['w', tensorV2(storageId(storage), 0, [2])],
        ['args', built('argparse', 'Namespace', new Map())],
      ],
    };
    assert.throws(
      () => readCheckpoint(zipCheckpoint(new Map<PickleValue, PickleValue>([['state_dict', inner]]), [storage])),
      {
        name: 'CheckpointError',
        message:
          "expected 'state_dict' to hold a state_dict (a mapping of names to tensors), but its entry 'args' is a pickled argparse.Namespace object",
      },
    );
  });

  it('every other global stays refused by name, beside the state_dict too', () => {
    const root = new Map<PickleValue, PickleValue>([
      ['state_dict', stateDict],
      ['hook', { call: { global: ['posix', 'system'] }, args: ['true'] }],
    ]);
    assert.throws(() => readCheckpoint(zipCheckpoint(root, [storage])), {
      name: 'CheckpointError',
      message:
        "unsupported global 'posix.system' in pickle: only tensor and container types are allowed (like torch.load(weights_only=True))",
    });
  });
});
