/**
 * Seeded fuzzing of readCheckpoint: mutated checkpoints of both formats must
 * each end in a CheckpointError or a valid Checkpoint, never in another
 * exception, a hang or a large allocation.
 *
 * Reproduce a failure with its seed file, iteration and the mutation printed
 * in the assertion message: the PRNG is seeded per seed file, so iteration N
 * of a seed is the same bytes on every run.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CheckpointError, readCheckpoint, type Checkpoint, type CheckpointTensor } from '../../converters/pth/index.js';
import { float32Storage, legacyCheckpoint, storageId, tensorV1, zipCheckpoint, type PickleValue } from './craft.js';

const SEEDS = join(dirname(fileURLToPath(import.meta.url)), 'seeds');
/** 6 seeds × 2000 = 12,000 cases in the suite; raise it (and vary the seed) for a longer hunt. */
const MUTATIONS_PER_SEED = Number(process.env.PTH_FUZZ_MUTATIONS ?? 2000);
const PRNG_SEED_BASE = Number(process.env.PTH_FUZZ_SEED ?? 0x5eed0000);
/** A hang detector, not a timing test: cases take milliseconds; a hang or a quadratic blow-up takes far longer. */
const MAX_MILLISECONDS_PER_CASE = 10_000;
/** No case may allocate more than this in array buffers, whatever it claims. */
const MAX_EXTRA_ARRAY_BUFFER_BYTES = 64 * 1024 * 1024;

/** mulberry32: tiny, fast and good enough to spread mutations. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function crafted(): Record<string, Uint8Array> {
  const root = float32Storage('140234', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const v1: PickleValue = {
    orderedDict: [
      ['a', tensorV1(storageId(root, ['140250', 2, 6]), 1, [2, 2], [1, 2])],
      ['b', tensorV1(storageId(root, null), 0, [10])],
    ],
  };
  const inZip: PickleValue = new Map<PickleValue, PickleValue>([['model', v1], ['note', 'x']]);
  return { 'crafted-legacy-v1': legacyCheckpoint(v1, [root]), 'crafted-zip-v1-model': zipCheckpoint(inZip, [root]) };
}

function seeds(): Record<string, Uint8Array> {
  const files = ['zip-bare.pth', 'zip-wrapped.pth', 'legacy-bare.pth', 'legacy-wrapped.pth'];
  return {
    ...Object.fromEntries(files.map((file) => [file, new Uint8Array(readFileSync(join(SEEDS, file)))])),
    ...crafted(),
  };
}

/**
 * One random mutation. Half of the positions fall in the file's first quarter
 * or last 200 bytes (pickles, headers, the zip's central directory), where a
 * change reaches the parsers instead of tensor values.
 */
function mutate(input: Uint8Array, random: () => number): { bytes: Uint8Array; description: string } {
  const below = (n: number): number => Math.floor(random() * n);
  const position = (): number => {
    const length = input.length;
    const roll = random();
    if (roll < 0.25) return below(Math.max(1, length >> 2));
    if (roll < 0.5) return Math.max(0, length - 1 - below(200));
    return below(length);
  };
  const kind = below(6);
  const at = position();
  switch (kind) {
    case 0: {
      const bytes = input.slice();
      const count = 1 + below(4);
      for (let i = 0; i < count; i++) bytes[position()] = below(256);
      return { bytes, description: `${count} random bytes` };
    }
    case 1: {
      const bytes = input.slice();
      bytes[at] = (bytes[at] ?? 0) ^ (1 << below(8));
      return { bytes, description: `bit flip at ${at}` };
    }
    case 2:
      return { bytes: input.slice(0, at), description: `truncated to ${at}` };
    case 3: {
      const inserted = Array.from({ length: 1 + below(16) }, () => below(256));
      const bytes = new Uint8Array(input.length + inserted.length);
      bytes.set(input.subarray(0, at));
      bytes.set(inserted, at);
      bytes.set(input.subarray(at), at + inserted.length);
      return { bytes, description: `${inserted.length} bytes inserted at ${at}` };
    }
    case 4: {
      const bytes = input.slice();
      const length = 1 + below(64);
      bytes.fill(0, at, at + length);
      return { bytes, description: `${length} bytes zeroed at ${at}` };
    }
    default: {
      // 0xff runs forge huge lengths, counts and ZIP64 markers.
      const bytes = input.slice();
      const length = 1 + below(8);
      bytes.fill(0xff, at, at + length);
      return { bytes, description: `${length} bytes of 0xff at ${at}` };
    }
  }
}

function assertValid(checkpoint: Checkpoint<CheckpointTensor>): void {
  for (const [name, tensor] of checkpoint.tensors) {
    const elements = tensor.shape.reduce((product, size) => product * size, 1);
    assert.equal(tensor.data.length, elements, `tensor ${name}`);
  }
}

describe('fuzzing readCheckpoint with mutated checkpoints', () => {
  const inputs = seeds();

  it(`every seed reads as it is`, () => {
    for (const bytes of Object.values(inputs)) assertValid(readCheckpoint(bytes));
    assert.ok(Object.keys(inputs).length >= 6);
  });

  let seedNumber = 0;
  for (const [name, seed] of Object.entries(inputs)) {
    seedNumber++;
    const prngSeed = PRNG_SEED_BASE + seedNumber;
    it(`${MUTATIONS_PER_SEED} mutations of ${name} (${seed.length} bytes) end in a CheckpointError or a valid checkpoint`, (t) => {
      const random = prng(prngSeed);
      const outcomes = { valid: 0, refused: 0 };
      const codes = new Map<string, number>();
      for (let iteration = 0; iteration < MUTATIONS_PER_SEED; iteration++) {
        const { bytes, description } = mutate(seed, random);
        const where = `${name} iteration ${iteration} (${description})`;
        const buffersBefore = process.memoryUsage().arrayBuffers;
        const started = performance.now();
        try {
          assertValid(readCheckpoint(bytes));
          outcomes.valid++;
        } catch (error) {
          if (!(error instanceof CheckpointError)) {
            assert.fail(`${where}: ${error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error)}`);
          }
          assert.doesNotMatch(error.message, /\n/, `${where}: multi-line message`);
          outcomes.refused++;
          codes.set(error.code, (codes.get(error.code) ?? 0) + 1);
        }
        const elapsed = performance.now() - started;
        assert.ok(elapsed < MAX_MILLISECONDS_PER_CASE, `${where}: took ${elapsed.toFixed(0)} ms`);
        const grown = process.memoryUsage().arrayBuffers - buffersBefore;
        assert.ok(grown < MAX_EXTRA_ARRAY_BUFFER_BYTES, `${where}: array buffers grew by ${grown} bytes`);
      }
      t.diagnostic(`${JSON.stringify(outcomes)} ${JSON.stringify(Object.fromEntries(codes))}`);
      assert.equal(outcomes.valid + outcomes.refused, MUTATIONS_PER_SEED);
      // Both outcomes must occur, or the mutations are not reaching the parsers.
      assert.ok(outcomes.refused > MUTATIONS_PER_SEED / 10, JSON.stringify(outcomes));
      assert.ok(codes.size >= 3, JSON.stringify([...codes]));
    });
  }
});
