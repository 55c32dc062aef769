/**
 * The converter in Chromium: a checkpoint converted in the page gives the same ONNX bytes as in Node (same code,
 * fflate, the reader's own unpickler and Web Crypto instead of Node's), and a hostile pickle is refused there the same way.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { convertCheckpoint } from '../../src/convert/index.js';
import { CHECKPOINTS } from '../support/fixtures.js';
import { browserUnavailable } from './support/browser.js';
import { openHarnessSession, type HarnessSession } from './support/harness-session.js';

const CHECKPOINT_FILES = [
  'cifar-small.pth', // zip (torch ≥ 1.6)
  'imagenet-small-legacy-v1.pth', // legacy stream of torch ≤ 0.3, Python 2 pickle
  'cifar-small-float16-big-endian.pth', // float16 weights, big-endian byteorder record
  'cifar-full.pth.tar', // full width, {'state_dict'} with module. prefixes
];

describe('nin-sdk/web convert() in Chromium', { skip: browserUnavailable() ?? false, timeout: 120_000 }, () => {
  let session: HarnessSession;

  before(async () => {
    session = await openHarnessSession();
  });

  after(async () => {
    await session?.close();
  });

  for (const file of CHECKPOINT_FILES) {
    test(`${file}: the page's ONNX bytes equal Node's`, async () => {
      const node = (await convertCheckpoint(await readFile(join(CHECKPOINTS, file)))).onnx;
      const page = await session.harness.convert(`fixtures/checkpoints/${file}`);
      assert.equal(page.length, node.length);
      assert.ok(page.equals(node), `${file}: the ONNX bytes differ`);
    });
  }

  test('a pickle that calls posix.system is refused by name, in the page too', async () => {
    const file = 'hostile/posix-system.pth';
    const nodeError = await convertCheckpoint(await readFile(join(CHECKPOINTS, file))).then(
      () => assert.fail('Node converted a hostile checkpoint'),
      (error: unknown) => (error as Error).message,
    );
    assert.match(nodeError, /posix\.system/);
    await assert.rejects(session.harness.convert(`fixtures/checkpoints/${file}`), (error: Error) =>
      error.message.includes(nodeError),
    );
  });

  test('no console errors or uncaught exceptions in the page', () => {
    assert.deepEqual(session.browser.problems, []);
  });
});
