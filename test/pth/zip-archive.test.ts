import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { unzipSync, zipSync } from 'fflate';
import { CheckpointError, readCheckpoint } from '../../src/formats/pth/index.js';
import { readZipDirectory, readZipEntries, readZipEntry } from '../../src/formats/pth/zip-archive.js';
import { float32Storage, pickle, storageId, tensorV2 } from './craft.js';
import { fixtureBytes, readManifest } from './helpers.js';

const zipFixtures = readManifest().filter((entry) => entry.format === 'zip');

/** Asserts that `work` throws a CheckpointError with this code and message. */
function assertZipRefusal(work: () => unknown, code: string, message: string): void {
  assert.throws(work, (error: unknown) => {
    assert.ok(error instanceof CheckpointError, String(error));
    assert.equal(error.code, code);
    assert.equal(error.message, message);
    return true;
  });
}

/** Every occurrence of `from` in `bytes` (local header and central record alike) replaced by `to`, same length. */
function renamed(bytes: Uint8Array, from: string, to: string): Uint8Array {
  const a = new TextEncoder().encode(from);
  const b = new TextEncoder().encode(to);
  assert.equal(a.length, b.length);
  const out = bytes.slice();
  for (let at = 0; at + a.length <= out.length; at++) {
    if (a.every((byte, index) => out[at + index] === byte)) out.set(b, at);
  }
  return out;
}

describe('the one zip reader (zip-archive.ts)', () => {
  it('reads every entry of the torch-written zips equal to what fflate extracts, stored ones as views of the file', () => {
    assert.ok(zipFixtures.length >= 5);
    for (const { file } of zipFixtures) {
      const bytes = fixtureBytes(file);
      const extracted = unzipSync(bytes);
      const entries = readZipEntries(bytes, () => true);
      assert.deepEqual([...entries.keys()].sort(), Object.keys(extracted).sort(), file);
      for (const [name, view] of entries) {
        assert.equal(view.buffer, bytes.buffer, `${file}: ${name} is a copy`);
        assert.deepEqual(view, extracted[name], `${file}: ${name}`);
      }
    }
  });

  it('gives plain Uint8Arrays even from a Node Buffer, whose slice() would not copy', () => {
    const bytes = Buffer.from(zipSync({ 'a/data/0': [Uint8Array.of(1, 2, 3, 4), { level: 0 }] }));
    const entry = readZipEntries(bytes, () => true).get('a/data/0')!;
    assert.equal(Object.getPrototypeOf(entry), Uint8Array.prototype);
    assert.deepEqual([...new Uint8Array(entry.slice().buffer)], [1, 2, 3, 4]);
  });

  it('gives tensors that are views of the file itself: no copy of the weights', () => {
    const bytes = fixtureBytes('cifar-small.pth');
    const { tensors } = readCheckpoint(bytes);
    assert.ok(tensors.size > 0);
    for (const [name, tensor] of tensors) assert.equal(tensor.data.buffer, bytes.buffer, `${name} was copied`);
  });

  it('inflates deflated entries (fflate only inflates) and locates both kinds in one walk', () => {
    const weights = float32Storage('0', [1.5, -2.25, 3.125, 4]);
    const text = new TextEncoder().encode('little'.repeat(50));
    const bytes = zipSync({
      'ckpt/data/0': [weights.bytes, { level: 0 }],
      'ckpt/byteorder': [text, { level: 9 }],
    });
    const directory = readZipDirectory(bytes);
    assert.deepEqual(
      directory.map(({ name, compression, originalSize }) => [name, compression, originalSize]),
      [
        ['ckpt/data/0', 0, 16],
        ['ckpt/byteorder', 8, 300],
      ],
    );
    assert.deepEqual(readZipEntry(bytes, directory[0]!), weights.bytes);
    assert.ok(directory[1]!.size < 300);
    assert.deepEqual(readZipEntry(bytes, directory[1]!), text);
  });

  it('reads a checkpoint whose storage is deflated', () => {
    const weights = float32Storage('0', [1.5, -2.25, 3.125, 4]);
    const object = { orderedDict: [['w', tensorV2(storageId(weights), 0, [2, 2])]] } as const;
    const bytes = zipSync({
      'ckpt/data.pkl': [pickle(object), { level: 0 }],
      'ckpt/data/0': [weights.bytes, { level: 9 }],
    });
    const tensor = readCheckpoint(bytes).tensors.get('w');
    assert.deepEqual(tensor?.shape, [2, 2]);
    assert.deepEqual([...(tensor?.data as Float32Array)], [1.5, -2.25, 3.125, 4]);
  });

  it('refuses what is not a zip, and an end record that points outside the file', () => {
    assertZipRefusal(
      () => readZipDirectory(new Uint8Array(100)),
      'truncated',
      'checkpoint is truncated: the zip archive has no end-of-central-directory record',
    );
    const bytes = zipSync({ 'a/data/0': [new Uint8Array([1, 2, 3]), { level: 0 }] });
    const forged = bytes.slice();
    new DataView(forged.buffer).setUint32(forged.length - 22 + 16, 0x7fffffff, true); // central directory offset
    assertZipRefusal(
      () => readZipDirectory(forged),
      'malformed-zip',
      'malformed zip archive: its central directory lists more entries than the file can hold',
    );
    assert.deepEqual([...readZipEntries(bytes, () => true).get('a/data/0')!], [1, 2, 3]);
  });

  it('refuses an entry whose local header is not where its record says, by name, before reading anything', () => {
    const bytes = zipSync({ 'ckpt/data.pkl': new Uint8Array(8), 'ckpt/data/0': new Uint8Array(16) }, { level: 9 });
    const entry = readZipDirectory(bytes).find((e) => e.name === 'ckpt/data/0')!;
    const damaged = bytes.slice();
    // The local header sits before the data: its 30 fixed bytes and the name ('ckpt/data/0', no extra field).
    damaged[entry.dataStart - 30 - 'ckpt/data/0'.length] = 0;
    assertZipRefusal(
      () => readCheckpoint(damaged),
      'malformed-zip',
      "malformed zip archive: entry 'ckpt/data/0': its central directory record or local header is damaged",
    );
  });

  it('refuses a name given twice: readers disagree on which one counts', () => {
    const bytes = renamed(
      zipSync({ 'a/data/0': Uint8Array.of(1), 'a/data/1': Uint8Array.of(2) }),
      'a/data/1',
      'a/data/0',
    );
    assertZipRefusal(
      () => readZipDirectory(bytes),
      'malformed-zip',
      "malformed zip archive: entry name 'a/data/0' appears twice",
    );
  });

  it('refuses an entry whose data runs past the end of the file', () => {
    const bytes = zipSync({ 'a/data/0': new Uint8Array(64) }, { level: 0 });
    const forged = bytes.slice();
    const view = new DataView(forged.buffer);
    const record = view.getUint32(forged.length - 22 + 16, true);
    view.setUint32(record + 20, 5000, true);
    view.setUint32(record + 24, 5000, true);
    assertZipRefusal(
      () => readZipDirectory(forged),
      'truncated',
      `checkpoint is truncated: zip entry 'a/data/0' needs 5000 bytes but only ${forged.length - 30 - 8} remain`,
    );
  });

  it('refuses a compression method other than stored or deflated when the entry is read, not before', () => {
    const bytes = zipSync({ 'a/x': Uint8Array.of(1, 2), 'a/y': Uint8Array.of(3) }, { level: 0 });
    const forged = bytes.slice();
    const view = new DataView(forged.buffer);
    const record = view.getUint32(forged.length - 22 + 16, true);
    view.setUint16(record + 10, 12, true); // bzip2, in the first record ('a/x')
    assert.deepEqual([...readZipEntries(forged, ({ name }) => name === 'a/y').keys()], ['a/y']);
    assertZipRefusal(
      () => readZipEntries(forged, () => true),
      'malformed-zip',
      "zip entry 'a/x' uses compression method 12: only stored and deflated entries can be read",
    );
  });
});
