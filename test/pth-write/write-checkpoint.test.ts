import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { unzipSync } from 'fflate';
import { isFloatTensor, readCheckpoint, type CheckpointTensor } from '../../src/formats/pth/index.js';
import { writeCheckpoint, type WritableTensor } from '../../src/formats/pth/write/index.js';
import { CHECKPOINTS } from '../support/fixtures.js';
import { localEntries } from './zip-layout.js';

/** The float32 state_dict of a torch-written fixture, as nin-sdk holds it after reading. */
function fixtureTensors(file: string): Map<string, WritableTensor> {
  const tensors = new Map<string, WritableTensor>();
  for (const [name, tensor] of readCheckpoint(readFileSync(join(CHECKPOINTS, file))).tensors) {
    assert.ok(isFloatTensor(tensor), name);
    tensors.set(name, tensor);
  }
  return tensors;
}

function assertSameTensors(
  actual: ReadonlyMap<string, CheckpointTensor>,
  expected: ReadonlyMap<string, WritableTensor>,
): void {
  assert.deepEqual([...actual.keys()], [...expected.keys()], 'keys in order');
  for (const [name, tensor] of expected) {
    const back = actual.get(name);
    assert.ok(back, name);
    assert.deepEqual(back.shape, tensor.shape, name);
    assert.ok(back.data instanceof Float32Array, name);
    // Bit-for-bit: compare the bytes, so that NaN payloads and -0 would count too.
    assert.deepEqual(
      Buffer.from(back.data.buffer, back.data.byteOffset, back.data.byteLength),
      Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength),
      name,
    );
  }
}

const tensors = fixtureTensors('cifar-small.pth');

describe('writeCheckpoint → readCheckpoint', () => {
  it('gives back a bare state_dict identically: keys in order, shapes, every bit', () => {
    const checkpoint = readCheckpoint(writeCheckpoint(tensors));
    assert.equal(checkpoint.format, 'zip');
    assert.equal(checkpoint.wrapper, 'bare');
    assert.deepEqual(checkpoint.extras, {});
    assertSameTensors(checkpoint.tensors, tensors);
  });

  it("gives back the {'best_acc', 'state_dict'} wrapper with its extras, floats as Python floats or as tensors", () => {
    const extras = { best_acc: 89.64, epoch: 164, arch: 'nin', lr: 1e-3, big: 2 ** 40, negative: -7 };
    for (const floatExtras of ['python-float', 'float64-tensor'] as const) {
      const checkpoint = readCheckpoint(writeCheckpoint(tensors, { extras, floatExtras }));
      assert.equal(checkpoint.wrapper, 'state_dict', floatExtras);
      assert.deepEqual(checkpoint.extras, extras, floatExtras);
      assertSameTensors(checkpoint.tensors, tensors);
    }
  });

  it('writes the state_dict wrapper without extras when asked', () => {
    const checkpoint = readCheckpoint(writeCheckpoint(tensors, { wrapper: 'state_dict' }));
    assert.equal(checkpoint.wrapper, 'state_dict');
    assertSameTensors(checkpoint.tensors, tensors);
  });

  it('keeps DataParallel-style names as given (the reader then strips the module. prefix)', () => {
    const prefixed = new Map([...tensors].map(([name, tensor]) => [`module.${name}`, tensor] as const));
    const checkpoint = readCheckpoint(writeCheckpoint(prefixed, { extras: { best_acc: 87.5 } }));
    assert.equal(checkpoint.strippedPrefix, 'module.');
    assertSameTensors(checkpoint.tensors, tensors);
  });

  it('writes 0-dim, empty and views-on-a-larger-buffer tensors', () => {
    const backing = new Float32Array([9, 1, 2, 3, 4, 5, 6, 9]);
    const odd = new Map<string, WritableTensor>([
      ['scalar', { shape: [], data: Float32Array.of(-0) }],
      ['empty', { shape: [0, 3], data: new Float32Array(0) }],
      ['view', { shape: [2, 3], data: backing.subarray(1, 7) }],
      ['special', { shape: [3], data: Float32Array.of(NaN, Infinity, -Infinity) }],
    ]);
    assertSameTensors(readCheckpoint(writeCheckpoint(odd)).tensors, odd);
  });

  it('is deterministic: the same tensors give the same bytes', () => {
    assert.deepEqual(
      writeCheckpoint(tensors, { extras: { best_acc: 1.5 } }),
      writeCheckpoint(tensors, { extras: { best_acc: 1.5 } }),
    );
  });
});

describe('writeCheckpoint: the zip layout of torch.save', () => {
  const bytes = writeCheckpoint(tensors);
  const entries = localEntries(bytes);

  it("holds archive/data.pkl, archive/byteorder, archive/data/<key> in torch's (string) order, archive/version", () => {
    const keys = Array.from({ length: tensors.size }, (_, i) => String(i)).sort();
    assert.deepEqual(
      entries.map((e) => e.name),
      ['archive/data.pkl', 'archive/byteorder', ...keys.map((k) => `archive/data/${k}`), 'archive/version'],
    );
    const files = unzipSync(bytes);
    assert.equal(new TextDecoder().decode(files['archive/version']), '3\n');
    assert.equal(new TextDecoder().decode(files['archive/byteorder']), 'little');
  });

  it("stores every entry uncompressed, its data on a 64-byte boundary, padded with torch's 'FB' extra field", () => {
    for (const entry of entries) {
      assert.equal(entry.method, 0, `${entry.name} is stored`);
      assert.equal(entry.dataOffset % 64, 0, `${entry.name} data at ${entry.dataOffset}`);
      assert.deepEqual([...entry.extra.subarray(0, 2)], [0x46, 0x42], `${entry.name} extra id 'FB'`);
      assert.ok(
        entry.extra.subarray(4).every((b) => b === 0x5a),
        `${entry.name} padding is 'Z's`,
      );
    }
  });

  it('puts each tensor as raw little-endian float32 in its entry: storage i is tensor i', () => {
    const names = [...tensors.keys()];
    for (const entry of entries.filter((e) => e.name.startsWith('archive/data/'))) {
      const tensor = tensors.get(names[Number(entry.name.slice('archive/data/'.length))]!)!;
      const stored = new Float32Array(bytes.slice(entry.dataOffset, entry.dataOffset + entry.size).buffer);
      assert.deepEqual(stored, tensor.data, entry.name);
    }
  });
});

describe('writeCheckpoint refuses what it cannot write faithfully', () => {
  const one = (tensor: WritableTensor): Map<string, WritableTensor> => new Map([['w', tensor]]);

  it('a shape that does not match the data', () => {
    assert.throws(
      () => writeCheckpoint(one({ shape: [2, 3], data: new Float32Array(5) })),
      /tensor w has shape \[2, 3\] \(6 values\) but 5 values/,
    );
    assert.throws(
      () => writeCheckpoint(one({ shape: [-1], data: new Float32Array(1) })),
      /sizes must be whole numbers/,
    );
  });

  it('data that is not float32', () => {
    const data = new Float64Array(2) as unknown as Float32Array;
    assert.throws(() => writeCheckpoint(one({ shape: [2], data })), /must hold a Float32Array/);
  });

  it('extras on a bare state_dict, or an extra named state_dict', () => {
    const w = one({ shape: [1], data: new Float32Array(1) });
    assert.throws(
      () => writeCheckpoint(w, { wrapper: 'bare', extras: { best_acc: 1 } }),
      /need the 'state_dict' wrapper/,
    );
    assert.throws(() => writeCheckpoint(w, { extras: { state_dict: 1 } }), /cannot be an extra/);
  });
});
