import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { readLabeledImages } from '../../src/datasets/node/dataset.js';
import { readRegularFile } from '../../src/io/read-regular-file.js';
import { decodeImage } from '../../src/preprocess/node/index.js';
import { FIXTURES } from '../support/fixtures.js';
import { NIN_CONVERT, NIN_SDK, runCli, temporaryFolder } from './helpers.js';

const CAT = join(FIXTURES, 'images', 'cat.jpg');
const CHECKPOINT = join(FIXTURES, 'checkpoints', 'cifar-small-float16.pth');

/** A folder holding a FIFO (nobody ever writes to it: opening it for a blocking read would wait for ever). */
function folderWithFifo(name: string): { folder: string; fifo: string } {
  const folder = temporaryFolder('special');
  const fifo = join(folder, name);
  execFileSync('mkfifo', [fifo]);
  return { folder, fifo };
}

/** The error line without the command's name ('nin-sdk: ' or 'nin-sdk info: ', the CLI's own choice). */
const withoutPrefix = (line: string): string => line.replace(/^nin-(?:sdk|convert)(?: \w+)?: /, '');

describe('inputs that are not regular files get their own error line and never block', () => {
  test('readRegularFile refuses a FIFO, a character device and a folder; reads a regular file through a symlink', async () => {
    const { folder, fifo } = folderWithFifo('x.jpg');
    await assert.rejects(readRegularFile(fifo), {
      name: 'FileTypeError',
      message: `${fifo}: not a regular file (a FIFO)`,
    });
    await assert.rejects(readRegularFile('/dev/zero'), {
      name: 'FileTypeError',
      message: '/dev/zero: not a regular file (a character device)',
    });
    await assert.rejects(readRegularFile(folder), {
      name: 'FileTypeError',
      message: `${folder}: not a regular file (a directory)`,
    });
    await assert.rejects(readRegularFile(join(folder, 'missing.jpg')), { code: 'ENOENT' });
    execFileSync('ln', ['-s', CAT, join(folder, 'link.jpg')]);
    assert.equal((await readRegularFile(join(folder, 'link.jpg'))).byteLength, (await readRegularFile(CAT)).byteLength);
    await assert.rejects(decodeImage(fifo), {
      name: 'ImageError',
      message: `cannot read ${fifo}: not a regular file (a FIFO)`,
    });
  });

  test('readRegularFile gives exactly the bytes: in one read, empty, a /proc file that states no size; its own buffer', async () => {
    const folder = temporaryFolder('read-exact');
    const bytes = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => (i * 7919) % 251);
    writeFileSync(join(folder, 'big.bin'), bytes);
    assert.deepEqual(new Uint8Array(await readRegularFile(join(folder, 'big.bin'))), bytes);
    writeFileSync(join(folder, 'empty.bin'), new Uint8Array(0));
    assert.equal((await readRegularFile(join(folder, 'empty.bin'))).byteLength, 0);
    // /proc's files are regular files whose stat size is 0: the size is no bound on what they hold.
    const cmdline = await readRegularFile('/proc/self/cmdline');
    assert.ok(cmdline.byteLength > 0);
    assert.deepEqual(cmdline, readFileSync('/proc/self/cmdline'));
    // A small file's buffer is its own, not a view of Buffer's shared pool: callers may move its ArrayBuffer.
    const small = await readRegularFile(CAT);
    assert.equal(small.byteOffset, 0);
    assert.equal(small.buffer.byteLength, small.byteLength);
  });

  test('predict: a FIFO named x.jpg in a folder is one error line; the other images are classified; exit 1', () => {
    const { folder, fifo } = folderWithFifo('x.jpg');
    copyFileSync(CAT, join(folder, 'a.jpg'));
    const result = runCli(NIN_SDK, ['predict', folder, '/dev/zero'], { timeoutMs: 60_000 });
    assert.equal(result.signal, null, 'predict hung on the FIFO');
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, new RegExp(`^${join(folder, 'a.jpg')} {2}cat `));
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines[0], `nin-sdk predict: cannot read ${fifo}: not a regular file (a FIFO)`);
    assert.equal(lines[1], 'nin-sdk predict: cannot read /dev/zero: not a regular file (a character device)');
    assert.match(lines[2]!, /^1 of 3 images classified in .*; 2 failed$/);
  });

  test('nin-convert on a FIFO checkpoint or a FIFO labels file, info and predict --model on a FIFO model, average on a FIFO', () => {
    const { folder, fifo } = folderWithFifo('model.pth');
    const out = join(folder, 'out.onnx');
    const cases: [string, string[]][] = [
      [NIN_CONVERT, [fifo, out]],
      [NIN_CONVERT, [CHECKPOINT, out, '--labels', fifo]],
      [NIN_SDK, ['info', fifo]],
      [NIN_SDK, ['predict', '--model', fifo, CAT]],
      [NIN_SDK, ['average', fifo, fifo, '--out', out]],
    ];
    for (const [cli, args] of cases) {
      const result = runCli(cli, args, { timeoutMs: 60_000 });
      assert.equal(result.signal, null, `${args.join(' ')} hung on the FIFO`);
      assert.equal(result.code, 1, `${args.join(' ')}: ${result.stderr}`);
      // loadClassifier's ModelError says it as predict's image errors do: 'cannot read <path>: <why>'.
      const said = args.includes('--model') ? `cannot read ${fifo}` : fifo;
      assert.equal(withoutPrefix(result.stderr), `${said}: not a regular file (a FIFO)\n`, args.join(' '));
      assert.equal(existsSync(out), false);
    }
  });

  test('train --data: a FIFO as the dataset tar, or inside a class folder, is refused by name', async () => {
    const { fifo } = folderWithFifo('data.tar');
    await assert.rejects(readLabeledImages(fifo).next(), {
      name: 'FileTypeError',
      message: `${fifo}: not a regular file (a FIFO)`,
    });
    const root = temporaryFolder('special-dataset');
    mkdirSync(join(root, 'cat'));
    copyFileSync(CAT, join(root, 'cat', '0.jpg'));
    execFileSync('mkfifo', [join(root, 'cat', '1.jpg')]);
    const images = readLabeledImages(root);
    assert.equal((await images.next()).value?.name, join('cat', '0.jpg'));
    await assert.rejects(images.next(), {
      name: 'FileTypeError',
      message: `${join(root, 'cat', '1.jpg')}: not a regular file (a FIFO)`,
    });
  });
});
