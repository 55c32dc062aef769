/**
 * Deflated zip entries: PyTorch stores its entries, but a
 * re-zipped checkpoint may deflate them, and a hostile one may lie about the
 * size they inflate to. fflate's unzipSync drops what passes the declared size
 * but decodes all of it; the reader must stop there, and keep all deflated
 * entries together within 8 × the file.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { readCheckpoint } from '../../src/formats/pth/index.js';
import { float32Storage, pickle, storageId, tensorV2, type PickleValue } from './craft.js';
import { assertRefused, fixtureBytes } from './helpers.js';

/** Every entry of a zip, deflated at level 9. */
function deflateAll(zip: Uint8Array): Uint8Array {
  const entries: Zippable = {};
  for (const [name, data] of Object.entries(unzipSync(zip))) entries[name] = [data, { level: 9 }];
  return zipSync(entries);
}

/** Rewrites the uncompressed size that the central directory declares for `name`. */
function declareSize(zip: Uint8Array, name: string, size: number): Uint8Array {
  const patched = zip.slice();
  const view = new DataView(patched.buffer);
  const encoded = new TextEncoder().encode(name);
  for (let at = 0; at + 46 <= patched.length; at++) {
    if (view.getUint32(at, true) !== 0x02014b50) continue;
    const nameLength = view.getUint16(at + 28, true);
    const found = patched.subarray(at + 46, at + 46 + nameLength);
    if (found.length === encoded.length && found.every((byte, index) => byte === encoded[index])) {
      view.setUint32(at + 24, size, true);
      return patched;
    }
  }
  throw new Error(`no central record for ${name}`);
}

describe('deflated zip entries', () => {
  it('a real checkpoint re-zipped with every entry deflated reads as the stored one', () => {
    const stored = fixtureBytes('cifar-small.pth');
    const deflated = deflateAll(stored);
    assert.ok(deflated.length < stored.length);
    const expected = readCheckpoint(stored);
    const actual = readCheckpoint(deflated);
    assert.deepEqual([...actual.tensors.keys()], [...expected.tensors.keys()]);
    for (const [name, tensor] of actual.tensors) assert.deepEqual(tensor.data, expected.tensors.get(name)?.data, name);
  });

  it('an entry whose header declares fewer bytes than its stream holds stops at the declared size', () => {
    const bytes = declareSize(deflateAll(fixtureBytes('cifar-small.pth')), 'cifar-small/data.pkl', 100);
    assertRefused(
      bytes,
      'malformed-zip',
      "malformed zip archive: entry 'cifar-small/data.pkl' inflates past the 100 bytes its header declares",
    );
  });

  it('a 48 KB entry holding 50 MB of zeros that declares 100 bytes', () => {
    const entries: Zippable = { 'archive/data.pkl': [new Uint8Array(50_000_000), { level: 9 }] };
    const bytes = declareSize(zipSync(entries), 'archive/data.pkl', 100);
    const started = performance.now();
    assertRefused(
      bytes,
      'malformed-zip',
      "malformed zip archive: entry 'archive/data.pkl' inflates past the 100 bytes its header declares",
    );
    // fflate alone decoded all 50 MB (about a second here); a hang detector, not a timing test.
    assert.ok(performance.now() - started < 20_000);
  });

  it('an entry whose header declares more bytes than its stream holds', () => {
    const zip = deflateAll(fixtureBytes('cifar-small.pth'));
    const actual = unzipSync(zip)['cifar-small/data.pkl']?.length ?? 0;
    assertRefused(
      declareSize(zip, 'cifar-small/data.pkl', actual + 1000),
      'malformed-zip',
      `malformed zip archive: entry 'cifar-small/data.pkl' inflates to ${actual} bytes but its header declares ${actual + 1000}`,
    );
  });

  it('the 8 × cap holds for all deflated entries together, not for each', () => {
    const first = float32Storage('0', new Array<number>(1200).fill(0));
    const second = float32Storage('1', new Array<number>(1200).fill(0));
    const object: PickleValue = {
      orderedDict: [
        ['a', tensorV2(storageId(first), 0, [1200])],
        ['b', tensorV2(storageId(second), 0, [1200])],
      ],
    };
    const bytes = zipSync({
      'archive/data.pkl': [pickle(object), { level: 0 }],
      'archive/data/0': [first.bytes, { level: 9 }],
      'archive/data/1': [second.bytes, { level: 9 }],
    });
    // Each storage alone fits in 8 × the file; both do not.
    assert.ok(4800 <= 8 * bytes.length && 9600 > 8 * bytes.length, String(bytes.length));
    assertRefused(
      bytes,
      'too-large',
      "zip entry 'archive/data/1' claims to inflate to 4800 bytes, past the limit of 8 × the file size for all deflated entries",
    );
  });
});

/**
 * A zip whose central directory lists `copies` storage entries that all point at the local header of one
 * stored 16 KB entry (overlapping entries, the non-recursive zip bomb): each would be copied out whole.
 */
function overlappingEntries(copies: number): Uint8Array {
  const storage = float32Storage('0', new Array<number>(4096).fill(1));
  const object: PickleValue = {
    orderedDict: Array.from(
      { length: copies },
      (_, index) => [`t${index}`, tensorV2(storageId({ ...storage, key: String(index) }), 0, [4096])] as const,
    ),
  };
  const base = zipSync({ 'archive/data.pkl': pickle(object), 'archive/data/0': storage.bytes }, { level: 0 });
  const view = new DataView(base.buffer);
  const end = base.length - 22;
  const directoryOffset = view.getUint32(end + 16, true);
  const directory = base.subarray(directoryOffset, end);
  // The record of 'archive/data/0' is the second; clone it under other names.
  const firstLength =
    46 +
    view.getUint16(directoryOffset + 28, true) +
    view.getUint16(directoryOffset + 30, true) +
    view.getUint16(directoryOffset + 32, true);
  const record = directory.subarray(firstLength);
  const clones: Uint8Array[] = [];
  for (let index = 1; index < copies; index++) {
    const name = new TextEncoder().encode(`archive/data/${index}`);
    const clone = new Uint8Array(46 + name.length);
    clone.set(record.subarray(0, 46));
    new DataView(clone.buffer).setUint16(28, name.length, true);
    new DataView(clone.buffer).setUint16(30, 0, true);
    new DataView(clone.buffer).setUint16(32, 0, true);
    clone.set(name, 46);
    clones.push(clone);
  }
  const added = clones.reduce((sum, clone) => sum + clone.length, 0);
  const out = new Uint8Array(base.length + added);
  out.set(base.subarray(0, end));
  let at = end;
  for (const clone of clones) {
    out.set(clone, at);
    at += clone.length;
  }
  out.set(base.subarray(end), at);
  const outView = new DataView(out.buffer);
  const count = 2 + copies - 1;
  outView.setUint16(at + 8, count, true);
  outView.setUint16(at + 10, count, true);
  outView.setUint32(at + 12, directory.length + added, true);
  return out;
}

describe('overlapping zip entries', () => {
  // Many central records on one local entry (the non-recursive zip bomb) are refused by the directory walk, before
  // any entry is read: no zip tool writes entries that share bytes.
  it('one stored entry listed 50 times is refused as overlapping', () => {
    assertRefused(
      overlappingEntries(50),
      'malformed-zip',
      "malformed zip archive: entries 'archive/data/0' and 'archive/data/1' overlap",
    );
  });
});
