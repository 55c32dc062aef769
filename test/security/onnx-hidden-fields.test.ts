/**
 * Models that say one thing to a hand-written reader and another to ONNX Runtime's protobuf parser: a second
 * `graph` under a five-byte tag over 2^32 (read as field 7 and merged into the first graph by ONNX Runtime), and
 * external data hidden the same way inside a tensor that is plainly there. Before the one decoding
 * (src/model/checked-model.ts), both read a file of the working directory: predict loaded them and `serve` handed the
 * file to any client. Now the decoding refuses the over-long tag, and whatever it accepts is what ONNX Runtime gets.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { create, toBinary } from '@bufbuild/protobuf';
import { GraphProtoSchema, ModelProtoSchema } from 'onnx-buf';
import { loadClassifier } from '../../src/node/classify.js';
import { InferenceServer } from '../../src/serve/server.js';
import { SERVE_DEFAULTS } from '../serve/helpers.js';
import { defaultModelProto, externalTensor, NIN_SDK, runCli, temporaryFolder } from './helpers.js';
import {
  canonicalTag,
  concat,
  hiddenGraphModel,
  hiddenLocationModel,
  lengthDelimited,
} from './support/hidden-fields.js';

const SECRET = 'TOP SECRET KEY!!'.repeat(4);
const OVERLONG_TAG = 'is not an ONNX model (illegal tag: varint overflows uint32)';
const withoutPrefix = (line: string): string => line.replace(/^nin-sdk(?: \w+)?: /, '');

/** A temporary working directory holding the secret and both hostile models. */
function workingFolder(): string {
  const folder = temporaryFolder('hidden-fields');
  writeFileSync(join(folder, 'secret.txt'), SECRET);
  writeFileSync(join(folder, 'weights.bin'), Buffer.alloc(192 * 3 * 5 * 5 * 4, 0x41));
  writeFileSync(join(folder, 'hidden-graph.onnx'), hiddenGraphModel('secret.txt', SECRET.length));
  writeFileSync(join(folder, 'hidden-location.onnx'), hiddenLocationModel('classifier.0.weight', 'weights.bin'));
  return folder;
}

/** Runs `body` with the process's working directory at `folder`, where ONNX Runtime resolves a model's external data. */
async function inFolder<T>(folder: string, body: () => Promise<T>): Promise<T> {
  const before = process.cwd();
  process.chdir(folder);
  try {
    return await body();
  } finally {
    process.chdir(before);
  }
}

describe('fields hidden from a reader that reads tags otherwise than protobuf', () => {
  test('loadClassifier refuses a second graph under an aliased tag, as bytes and as a path, in one line naming it', async () => {
    const folder = workingFolder();
    await inFolder(folder, async () => {
      await assert.rejects(loadClassifier(hiddenGraphModel('secret.txt', SECRET.length)), {
        name: 'ModelError',
        message: `model bytes ${OVERLONG_TAG}`,
      });
      await assert.rejects(loadClassifier('hidden-graph.onnx'), {
        name: 'ModelError',
        message: `hidden-graph.onnx ${OVERLONG_TAG}`,
      });
      // In a worker thread (predict of many images, serve) as on this one.
      await assert.rejects(loadClassifier('hidden-graph.onnx', { inWorker: true }), {
        name: 'ModelError',
        message: `hidden-graph.onnx ${OVERLONG_TAG}`,
      });
    });
  });

  test('loadClassifier refuses external_data and data_location hidden under aliased tags in a tensor that is plainly there', async () => {
    const folder = workingFolder();
    await inFolder(folder, async () => {
      await assert.rejects(loadClassifier('hidden-location.onnx'), {
        name: 'ModelError',
        message: `hidden-location.onnx ${OVERLONG_TAG}`,
      });
    });
  });

  test('a second graph under the plain tag is merged into the first, as ONNX Runtime merges it, and its external data refused', async () => {
    const hidden = create(GraphProtoSchema, { initializer: [externalTensor('stolen', [16], 'secret.txt')] });
    const bytes = concat(
      toBinary(ModelProtoSchema, defaultModelProto()),
      lengthDelimited(canonicalTag(7, 2), toBinary(GraphProtoSchema, hidden)),
    );
    await assert.rejects(loadClassifier(bytes), {
      name: 'ModelError',
      message:
        'model bytes refers to external data (tensor "stolen" in "secret.txt"); nin-sdk loads only self-contained ' +
        'models, with every weight inside the .onnx file',
    });
  });

  test('CLI: info and predict exit 1 with one line (info was "internal error", exit 70; predict loaded the file)', () => {
    const folder = workingFolder();
    const cat = join(NIN_SDK, '../../../../fixtures/images/cat.jpg');
    for (const model of ['hidden-graph.onnx', 'hidden-location.onnx']) {
      const info = runCli(NIN_SDK, ['info', model], { cwd: folder });
      assert.equal(info.code, 1, info.stderr);
      assert.equal(withoutPrefix(info.stderr), `${model} ${OVERLONG_TAG}\n`);
      const predict = runCli(NIN_SDK, ['predict', '--json', '--model', model, cat], { cwd: folder });
      assert.equal(predict.code, 1, predict.stderr);
      assert.equal(predict.stdout, '');
      assert.equal(withoutPrefix(predict.stderr), `${model} ${OVERLONG_TAG}\n`);
    }
  });

  test('serve refuses to start on it: the library throws, the CLI exits 1 at once', async () => {
    const folder = workingFolder();
    await inFolder(folder, async () => {
      // A server that starts is shut down again, so that the assertion, not a live server, ends the test.
      const started = InferenceServer.start(
        [{ name: 'evil', bytes: hiddenGraphModel('secret.txt', SECRET.length), source: 'evil.onnx' }],
        { ...SERVE_DEFAULTS },
      ).then(async (server) => {
        await server.shutdown();
        return server;
      });
      await assert.rejects(started, { name: 'ModelError', message: `evil.onnx ${OVERLONG_TAG}` });
    });
    // A server that started would still be running when the time limit kills it (signal, no exit code).
    const serve = runCli(NIN_SDK, ['serve', '--model', 'hidden-graph.onnx', '--port', '0'], {
      cwd: folder,
      timeoutMs: 30_000,
    });
    assert.equal(serve.signal, null, 'serve started on the hostile model');
    assert.equal(serve.code, 1, serve.stderr);
    assert.equal(withoutPrefix(serve.stderr), `hidden-graph.onnx ${OVERLONG_TAG}\n`);
  });
});
