/**
 * A zip whose ZIP64 end record claims 4,294,967,295 entries, their list past the end of the file: fflate's own
 * unzipSync trusts the count and reads the missing records as zeros, ~3 µs each, for hours. Every zip nin-sdk reads
 * goes through the one zip reader (src/formats/pth/zip-archive.ts), which refuses it at once: the
 * training-checkpoint sniff of `average` and `train --from`, training checkpoints, and nin-convert alike.
 */
import assert from 'node:assert/strict';
import { mkdirSync, copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { decodeTrainingCheckpoint } from '../../src/train/checkpoint/format.js';
import { isTrainingCheckpoint } from '../../src/train/start-file.js';
import { readTrainingStart } from '../../src/train/training-start.js';
import { FIXTURES } from '../support/fixtures.js';
import { NIN_CONVERT, NIN_SDK, runCli, temporaryFolder } from './helpers.js';

const REFUSAL = 'malformed zip archive: its central directory lists more entries than the file can hold';

/** One empty stored entry, then a ZIP64 end record, its locator and the classic end record, all claiming 2^32 − 1 entries. */
function forgedEntryCountZip(): Uint8Array {
  const parts: Buffer[] = [];
  const le = (value: number, size: 2 | 4 | 8): Buffer => {
    const b = Buffer.alloc(size);
    if (size === 8) b.writeBigUInt64LE(BigInt(value));
    else if (size === 4) b.writeUInt32LE(value);
    else b.writeUInt16LE(value);
    return b;
  };
  const name = Buffer.from('archive/data.pkl');
  parts.push(Buffer.from('PK\x03\x04', 'latin1'), le(20, 2), le(0, 2), le(0, 2), le(0, 2), le(0, 2));
  parts.push(le(0, 4), le(0, 4), le(0, 4), le(name.length, 2), le(0, 2), name);
  const zip64End = parts.reduce((n, b) => n + b.length, 0);
  const entries = 0xffffffff;
  // The central directory "starts" 1 MiB in: past the end of the file.
  parts.push(le(0x06064b50, 4), le(44, 8), le(45, 2), le(45, 2), le(0, 4), le(0, 4));
  parts.push(le(entries, 8), le(entries, 8), le(0, 8), le(1 << 20, 8));
  parts.push(le(0x07064b50, 4), le(0, 4), le(zip64End, 8), le(1, 4));
  parts.push(le(0x06054b50, 4), le(0, 2), le(0, 2), le(0xffff, 2), le(0xffff, 2), le(entries, 4), le(entries, 4));
  parts.push(le(0, 2));
  return Buffer.concat(parts);
}

/** Milliseconds `work` took. */
function timed(work: () => void): number {
  const started = performance.now();
  work();
  return performance.now() - started;
}

describe('a zip claiming 4,294,967,295 entries', () => {
  const bomb = forgedEntryCountZip();

  // The CLIs first: each runs under a time limit, where the library's loop (before the guard) cannot be stopped.
  test('nin-convert, nin-sdk average and nin-sdk train --from exit 1 at once with the same line', () => {
    const folder = temporaryFolder('zip-count');
    writeFileSync(join(folder, 'bomb.pth'), bomb);
    for (const label of ['cat', 'dog']) {
      mkdirSync(join(folder, 'data', label), { recursive: true });
      copyFileSync(join(FIXTURES, 'images', 'cat.jpg'), join(folder, 'data', label, 'a.jpg'));
    }
    const runs = [
      { cli: NIN_CONVERT, args: ['bomb.pth', 'out.onnx'], line: `nin-convert: ${REFUSAL}` },
      {
        cli: NIN_SDK,
        args: ['average', 'bomb.pth', 'bomb.pth', '--out', 'avg.onnx'],
        line: `nin-sdk: bomb.pth: ${REFUSAL}`,
      },
      {
        cli: NIN_SDK,
        args: ['train', '--data', 'data', '--from', 'bomb.pth', '--epochs', '1', '--out', 'run'],
        line: `nin-sdk: bomb.pth: ${REFUSAL}`,
      },
    ];
    for (const { cli, args, line } of runs) {
      // Before the guard, average and train --from were still looping when this limit killed them.
      const result = runCli(cli, args, { cwd: folder, timeoutMs: 20_000 });
      assert.equal(result.signal, null, `${args[0]} was still running after 20 s`);
      assert.equal(result.code, 1, result.stderr);
      assert.equal(result.stderr, `${line}\n`);
    }
  });

  // Without the guard each call loops for hours: the test's timeout (20 s) is the safety net, the times are reported.
  test(
    'the library refuses it at once: the training-checkpoint sniff, training checkpoints, start models',
    {
      timeout: 20_000,
    },
    (t) => {
      assert.equal(bomb.length, 144);
      const sniff = timed(() => assert.equal(isTrainingCheckpoint(bomb), false));
      const decode = timed(() =>
        assert.throws(() => decodeTrainingCheckpoint(bomb), { name: 'TrainingCheckpointError', message: REFUSAL }),
      );
      const start = timed(() =>
        assert.throws(() => readTrainingStart(bomb, 'bomb.pth'), {
          name: 'CheckpointError',
          message: `bomb.pth: ${REFUSAL}`,
        }),
      );
      t.diagnostic(`refused in ${sniff} ms (sniff), ${decode} ms (decode), ${start} ms (start)`);
    },
  );
});
