import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { writeFileAtomic } from '../../src/io/write-atomic.js';
import { RunFolder } from '../../src/train/node/run-folder.js';
import { FIXTURES, ROOT } from '../support/fixtures.js';
import { NIN_CONVERT, runCli, temporaryFolder } from './helpers.js';

const BYTES = new Uint8Array([1, 2, 3]);

describe('writeFileAtomic: only the named regular file is ever replaced', () => {
  test('writes a new file and replaces an existing regular file, leaving no temporary file', async () => {
    const folder = temporaryFolder('write');
    const path = join(folder, 'out.onnx');
    await writeFileAtomic(path, BYTES);
    writeFileSync(join(folder, 'other'), 'x');
    await writeFileAtomic(path, new Uint8Array([4, 5]));
    assert.deepEqual([...readFileSync(path)], [4, 5]);
    assert.deepEqual(readdirSync(folder).sort(), ['other', 'out.onnx']);
  });

  test('a FIFO, a folder or a socket as the target is refused and stays what it was', async () => {
    const folder = temporaryFolder('write-special');
    const fifo = join(folder, 'x.onnx');
    execFileSync('mkfifo', [fifo]);
    await assert.rejects(writeFileAtomic(fifo, BYTES), {
      name: 'OutputError',
      message: `cannot write ${fifo}: it is a FIFO, not a regular file`,
    });
    assert.ok(lstatSync(fifo).isFIFO());
    const sub = join(folder, 'sub');
    mkdirSync(sub);
    await assert.rejects(writeFileAtomic(sub, BYTES), {
      name: 'OutputError',
      message: `cannot write ${sub}: it is a directory, not a regular file`,
    });
    execFileSync('ln', ['-s', '/dev/null', join(folder, 'link.onnx')]);
    await assert.rejects(writeFileAtomic(join(folder, 'link.onnx'), BYTES), {
      message: `cannot write ${join(folder, 'link.onnx')}: it is a character device, not a regular file`,
    });
    assert.ok(lstatSync(join(folder, 'link.onnx')).isSymbolicLink());
    assert.deepEqual(readdirSync(folder).sort(), ['link.onnx', 'sub', 'x.onnx']);
  });

  test('/dev/null is refused (as root, a rename would replace it) and is still a character device', async () => {
    await assert.rejects(writeFileAtomic('/dev/null', BYTES), {
      name: 'OutputError',
      message: 'cannot write /dev/null: it is a character device, not a regular file',
    });
    assert.ok(statSync('/dev/null').isCharacterDevice());
    assert.equal(readdirSync('/dev').filter((name) => name.startsWith('.null.')).length, 0);
  });

  test('a missing folder is named, not the temporary file', async () => {
    const folder = temporaryFolder('write-missing');
    const path = join(folder, 'missing', 'out.onnx');
    await assert.rejects(writeFileAtomic(path, BYTES), {
      name: 'OutputError',
      message: `cannot write ${path}: no such folder: ${join(folder, 'missing')}`,
    });
    writeFileSync(join(folder, 'file'), '');
    await assert.rejects(writeFileAtomic(join(folder, 'file', 'out.onnx'), BYTES), {
      message: `cannot write ${join(folder, 'file', 'out.onnx')}: ${join(folder, 'file')} is a regular file, not a folder`,
    });
  });

  for (const [signal, status] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    test(`${signal} in the middle of a write removes the temporary file and still ends the process by ${signal} (${status} in a shell)`, () => {
      const folder = temporaryFolder('write-signal');
      const target = join(folder, 'big.onnx');
      const child = spawnSync(
        process.execPath,
        ['--import', 'tsx', join(ROOT, 'test', 'security', 'support', 'interrupted-write.ts'), target, signal],
        {
          encoding: 'utf8',
          cwd: ROOT,
          timeout: 60_000,
        },
      );
      assert.equal(child.signal, signal, `${child.status} ${child.stdout} ${child.stderr}`);
      assert.equal(child.stdout, '');
      assert.deepEqual(readdirSync(folder), []);
      assert.equal(existsSync(target), false);
      const shell = spawnSync(
        'sh',
        [
          '-c',
          `"${process.execPath}" --import tsx test/security/support/interrupted-write.ts "${target}" ${signal}; echo $?`,
        ],
        {
          encoding: 'utf8',
          cwd: ROOT,
          timeout: 60_000,
        },
      );
      assert.equal(shell.stdout.trim(), String(status));
      assert.deepEqual(readdirSync(folder), []);
    });
  }

  test('nin-sdk train: a FIFO as the run folder train.log is refused before the run starts', async () => {
    const folder = temporaryFolder('write-run');
    execFileSync('mkfifo', [join(folder, 'train.log')]);
    await assert.rejects(new RunFolder(folder).create(), {
      name: 'OutputError',
      message: `cannot write ${join(folder, 'train.log')}: it is a FIFO, not a regular file`,
    });
  });

  test('nin-convert to /dev/null or a FIFO: one line, exit 1, the target untouched', () => {
    const folder = temporaryFolder('write-cli');
    const fifo = join(folder, 'out.onnx');
    execFileSync('mkfifo', [fifo]);
    const checkpoint = join(FIXTURES, 'checkpoints', 'cifar-small-float16.pth');
    for (const target of ['/dev/null', fifo]) {
      const result = runCli(NIN_CONVERT, [checkpoint, target]);
      assert.equal(result.code, 1, result.stderr);
      const kind = target === fifo ? 'a FIFO' : 'a character device';
      assert.equal(result.stderr, `nin-convert: cannot write ${target}: it is ${kind}, not a regular file\n`);
    }
    assert.ok(statSync('/dev/null').isCharacterDevice());
    assert.ok(lstatSync(fifo).isFIFO());
    const missing = runCli(NIN_CONVERT, [checkpoint, join(folder, 'nope', 'out.onnx')]);
    assert.equal(
      missing.stderr,
      `nin-convert: cannot write ${join(folder, 'nope', 'out.onnx')}: no such folder: ${join(folder, 'nope')}\n`,
    );
  });
});
