import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CheckpointError, readCheckpoint } from '../../src/formats/pth/index.js';
import {
  CHECKPOINTS,
  asFloat32,
  fingerprint,
  fixtureBytes,
  rawAsFloat32,
  readHostileManifest,
  type HostileEntry,
  readManifest,
  type ManifestEntry,
} from './helpers.js';
import { largeFixturesMissing } from '../support/prerequisites.js';

function assertMatchesManifest(bytes: Uint8Array, entry: ManifestEntry): void {
  const checkpoint = readCheckpoint(bytes);
  assert.equal(checkpoint.format, entry.format);
  assert.equal(checkpoint.wrapper, entry.wrapper === 'sequential' ? 'bare' : entry.wrapper);
  assert.equal(checkpoint.strippedPrefix, entry.prefix);
  assert.deepEqual(checkpoint.extras, entry.extras);

  const expectedKeys = Object.keys(entry.tensors).map((key) => key.slice(entry.prefix.length));
  assert.deepEqual([...checkpoint.tensors.keys()], expectedKeys);
  for (const [savedKey, expected] of Object.entries(entry.tensors)) {
    const tensor = checkpoint.tensors.get(savedKey.slice(entry.prefix.length));
    assert.ok(tensor, savedKey);
    assert.equal(tensor.dtype, expected.dtype, savedKey);
    assert.deepEqual(tensor.shape, expected.shape, savedKey);
    if (tensor.dtype === 'int64') assert.ok(tensor.data instanceof BigInt64Array, savedKey);
    else assert.ok(tensor.data instanceof Float32Array, savedKey);
    const { sha256, sum } = fingerprint(asFloat32(tensor));
    assert.equal(sha256, expected.sha256, `values of ${savedKey}`);
    assert.ok(
      Math.abs(sum - expected.sum) <= 1e-9 * Math.max(1, Math.abs(expected.sum)),
      `sum of ${savedKey}: ${sum} vs ${expected.sum}`,
    );
  }
}

describe('every checkpoint of fixtures/checkpoints/manifest.json', () => {
  for (const entry of readManifest()) {
    it(`${entry.file} (${entry.format}, ${entry.wrapper}, ${entry.dtype}, ${entry.byteorder}-endian)`, () => {
      assertMatchesManifest(fixtureBytes(entry.file), entry);
    });
  }

  it('keeps float16, bfloat16 and float64 in their own arrays with keepDtype, with the same values', () => {
    const expectations = {
      'cifar-small-float16.pth': Uint16Array,
      'cifar-small-bfloat16.pth': Uint16Array,
      'cifar-small-float64.pth': Float64Array,
    };
    for (const entry of readManifest()) {
      const arrayType = expectations[entry.file as keyof typeof expectations];
      if (arrayType === undefined) continue;
      const checkpoint = readCheckpoint(fixtureBytes(entry.file), { keepDtype: true });
      for (const [key, expected] of Object.entries(entry.tensors)) {
        const tensor = checkpoint.tensors.get(key);
        assert.ok(tensor && tensor.data instanceof arrayType, `${entry.file} ${key}`);
        assert.equal(fingerprint(rawAsFloat32(tensor)).sha256, expected.sha256, `${entry.file} ${key}`);
      }
    }
  });

  it('materialises contiguous float32 tensors as views, not copies: tensors of one storage share one buffer', () => {
    const checkpoint = readCheckpoint(fixtureBytes('cifar-small-shared-storage.pth'));
    const buffers = new Set([...checkpoint.tensors.values()].map((tensor) => tensor.data.buffer));
    assert.equal(buffers.size, 1);
  });

  it("reads legacy storages at any alignment, as views on the caller's bytes where aligned and as copies elsewhere", () => {
    const bytes = fixtureBytes('imagenet-small-legacy-v1.pth');
    const expected = readCheckpoint(bytes);
    let viewed = 0;
    for (let shift = 0; shift < 4; shift++) {
      const shifted = new Uint8Array(bytes.length + shift).subarray(shift);
      shifted.set(bytes);
      const actual = readCheckpoint(shifted);
      for (const [key, tensor] of expected.tensors) {
        const data = actual.tensors.get(key)?.data;
        assert.deepEqual(data, tensor.data, `${key} shifted by ${shift}`);
        if (data?.buffer === shifted.buffer) viewed++;
      }
    }
    // Storages are back to back, so each alignment puts some of them on a 4-byte boundary.
    assert.ok(viewed >= expected.tensors.size, `${viewed} views`);
  });
});

// Written by `make_fixtures.py --large` (CI does; not committed): the full-width ImageNet NIN, 30 MB.
const LARGE = join(CHECKPOINTS, '../generated-large/checkpoints');
const largeEntries: ManifestEntry[] = existsSync(join(LARGE, 'manifest.json'))
  ? (JSON.parse(readFileSync(join(LARGE, 'manifest.json'), 'utf8')) as ManifestEntry[])
  : [];

describe('full-width checkpoints of fixtures/generated-large', { skip: largeFixturesMissing() }, () => {
  for (const entry of largeEntries) {
    it(`${entry.file} reads with the manifest's values, holding at most 2 × its size beside its bytes`, () => {
      const file = readFileSync(join(LARGE, entry.file));
      const bytes = new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
      const before = process.memoryUsage().arrayBuffers;
      const checkpoint = readCheckpoint(bytes);
      const held = process.memoryUsage().arrayBuffers - before;
      // With the file's own bytes that keeps the whole read within 3 × the checkpoint.
      assert.ok(held <= 2 * bytes.length, `${held} bytes of array buffers for a ${bytes.length}-byte file`);
      assert.equal(checkpoint.tensors.size, Object.keys(entry.tensors).length);
      assertMatchesManifest(bytes, entry);
    });
  }
});

describe('hostile pickles of fixtures/checkpoints/hostile/manifest.json', () => {
  // A class of the user's script (`__main__.Evil`) is what a pickled model names too (`__main__.Net`): it is kept as an
  // inert placeholder, never constructed; in place of a tensor it is refused as what it is. Code execution and
  // system access (os.system, builtins.eval, subprocess.Popen …) stay refused by name.
  const isPlainClass = (entry: HostileEntry) => entry.global.startsWith('__main__.');
  for (const entry of readHostileManifest()) {
    it(`${entry.file} is refused naming ${entry.global}, and nothing runs`, () => {
      if (entry.marker !== null) rmSync(entry.marker, { force: true });
      assert.throws(
        () => readCheckpoint(fixtureBytes(`hostile/${entry.file}`)),
        (error: unknown) => {
          assert.ok(error instanceof CheckpointError);
          if (isPlainClass(entry)) {
            assert.equal(error.code, 'not-a-state-dict');
            assert.equal(
              error.message,
              `expected a state_dict (a mapping of names to tensors) or a dict with one under 'state_dict', 'model' or 'net', but its entry 'classifier.0.bias' is a pickled ${entry.global} object`,
            );
            return true;
          }
          assert.equal(error.code, 'disallowed-global');
          assert.equal(
            error.message,
            `unsupported global '${entry.global}' in pickle: only tensor and container types are allowed (like torch.load(weights_only=True))`,
          );
          return true;
        },
      );
      if (entry.marker !== null) assert.equal(existsSync(entry.marker), false, `${entry.marker} exists`);
    });
  }
});
