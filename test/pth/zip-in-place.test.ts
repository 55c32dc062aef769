import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { unzipSync, zipSync } from 'fflate';
import { CheckpointError, readCheckpoint } from '../../converters/pth/index.js';
import { locateEntries, storedEntriesInPlace } from '../../converters/pth/zip-in-place.js';
import { inflateExactly } from '../../converters/pth/zip-inflate.js';
import { float32Storage, pickle, storageId, tensorV2 } from './craft.js';
import { fixtureBytes, readManifest } from './helpers.js';

const zipFixtures = readManifest().filter((entry) => entry.format === 'zip');

describe('zip entries read in place', () => {
  it('finds every entry of the torch-written zips as a view equal to what fflate extracts', () => {
    assert.ok(zipFixtures.length >= 5);
    for (const { file } of zipFixtures) {
      const bytes = fixtureBytes(file);
      const extracted = unzipSync(bytes);
      const names = new Set(Object.keys(extracted));
      const views = storedEntriesInPlace(bytes, names);
      assert.deepEqual([...views.keys()].sort(), [...names].sort(), file);
      for (const [name, view] of views) {
        assert.equal(view.buffer, bytes.buffer, `${file}: ${name} is a copy`);
        assert.deepEqual(view, extracted[name], `${file}: ${name}`);
      }
    }
  });

  it('gives tensors that are views of the file itself: no copy of the weights', () => {
    const bytes = fixtureBytes('cifar-small.pth');
    const { tensors } = readCheckpoint(bytes);
    assert.ok(tensors.size > 0);
    for (const [name, tensor] of tensors) assert.equal(tensor.data.buffer, bytes.buffer, `${name} was copied`);
  });

  it('leaves deflated entries to fflate, which inflates them', () => {
    const weights = float32Storage('0', [1.5, -2.25, 3.125, 4]);
    const object = { orderedDict: [['w', tensorV2(storageId(weights), 0, [2, 2])]] } as const;
    const bytes = zipSync({
      'ckpt/data.pkl': [pickle(object), { level: 0 }],
      'ckpt/data/0': [weights.bytes, { level: 9 }],
    });
    assert.equal(storedEntriesInPlace(bytes, new Set(['ckpt/data/0', 'ckpt/data.pkl'])).has('ckpt/data/0'), false);
    const tensor = readCheckpoint(bytes).tensors.get('w');
    assert.deepEqual(tensor?.shape, [2, 2]);
    assert.deepEqual([...(tensor?.data as Float32Array)], [1.5, -2.25, 3.125, 4]);
  });

  it('finds nothing in what is not a zip, or a zip whose end record points outside the file', () => {
    assert.equal(storedEntriesInPlace(new Uint8Array(100), new Set(['a'])).size, 0);
    const bytes = zipSync({ 'a/data/0': [new Uint8Array([1, 2, 3]), { level: 0 }] });
    const forged = bytes.slice();
    const end = forged.length - 22;
    new DataView(forged.buffer).setUint32(end + 16, 0x7fffffff, true); // central directory offset
    assert.equal(storedEntriesInPlace(forged, new Set(['a/data/0'])).size, 0);
    assert.deepEqual([...storedEntriesInPlace(bytes, new Set(['a/data/0'])).get('a/data/0')!], [1, 2, 3]);
  });

  it('locates stored and deflated entries in one walk of the central directory', () => {
    const weights = float32Storage('0', [1.5, -2.25, 3.125, 4]);
    const text = new TextEncoder().encode('little'.repeat(50));
    const bytes = zipSync({
      'ckpt/data/0': [weights.bytes, { level: 0 }],
      'ckpt/byteorder': [text, { level: 9 }],
    });
    const located = locateEntries(bytes, new Set(['ckpt/data/0', 'ckpt/byteorder', 'ckpt/absent']));
    assert.deepEqual([...located.keys()], ['ckpt/data/0', 'ckpt/byteorder']);
    const stored = located.get('ckpt/data/0')!;
    assert.deepEqual([stored.compression, stored.size, stored.originalSize], [0, 16, 16]);
    assert.deepEqual(bytes.subarray(stored.dataStart, stored.dataStart + 16), weights.bytes);
    const deflated = located.get('ckpt/byteorder')!;
    assert.deepEqual([deflated.compression, deflated.originalSize], [8, 300]);
    const compressed = bytes.subarray(deflated.dataStart, deflated.dataStart + deflated.size);
    assert.deepEqual(inflateExactly(compressed, deflated.originalSize, 'ckpt/byteorder'), text);
  });

  it('refuses a deflated entry whose local header is not where its record says, by name', () => {
    const weights = float32Storage('0', [1.5, -2.25, 3.125, 4]);
    const object = { orderedDict: [['w', tensorV2(storageId(weights), 0, [2, 2])]] } as const;
    const bytes = zipSync({
      'ckpt/data.pkl': [pickle(object), { level: 0 }],
      'ckpt/data/0': [weights.bytes, { level: 9 }],
    });
    const header = locateEntries(bytes, new Set(['ckpt/data/0'])).get('ckpt/data/0')!;
    const damaged = bytes.slice();
    // The local header sits before the data: its 30 fixed bytes and the name ('ckpt/data/0', no extra field).
    damaged[header.dataStart - 30 - 'ckpt/data/0'.length] = 0;
    assert.throws(
      () => readCheckpoint(damaged).tensors,
      (error: unknown) => {
        assert.ok(error instanceof CheckpointError);
        assert.equal(error.code, 'malformed-zip');
        assert.equal(
          error.message,
          "malformed zip archive: entry 'ckpt/data/0': its central directory record or local header is damaged",
        );
        return true;
      },
    );
  });
});
