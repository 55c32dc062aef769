/**
 * The fuzz seeds: four small checkpoints written by PyTorch (test/pth/seeds,
 * made by make_seeds.py: zip and legacy, bare and wrapped) and two crafted
 * torch <= 0.3 ones with storage views.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { float32Storage, legacyCheckpoint, storageId, tensorV1, zipCheckpoint, type PickleValue } from '../craft.js';

const SEEDS = join(dirname(fileURLToPath(import.meta.url)), '../seeds');

function crafted(): Record<string, Uint8Array> {
  const root = float32Storage('140234', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const v1: PickleValue = {
    orderedDict: [
      ['a', tensorV1(storageId(root, ['140250', 2, 6]), 1, [2, 2], [1, 2])],
      ['b', tensorV1(storageId(root, null), 0, [10])],
    ],
  };
  const inZip: PickleValue = new Map<PickleValue, PickleValue>([
    ['model', v1],
    ['note', 'x'],
  ]);
  return { 'crafted-legacy-v1': legacyCheckpoint(v1, [root]), 'crafted-zip-v1-model': zipCheckpoint(inZip, [root]) };
}

export function fuzzSeeds(): Record<string, Uint8Array> {
  const files = ['zip-bare.pth', 'zip-wrapped.pth', 'legacy-bare.pth', 'legacy-wrapped.pth'];
  return {
    ...Object.fromEntries(files.map((file) => [file, new Uint8Array(readFileSync(join(SEEDS, file)))])),
    ...crafted(),
  };
}
