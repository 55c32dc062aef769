/**
 * A served model whose nin-sdk metadata is broken still serves infer, and the server says why its image route is
 * off: once on stderr at start (the CLI), in `warnings` (the library) and in the image route's 400. A model with no
 * nin-sdk metadata at all is a plain ONNX model: no warning.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ModelProto } from 'onnx-buf';
import { InferenceServer } from '../../src/serve/server.js';
import { defaultModelProto, encodeModel, temporaryFolder, withMetadata } from '../security/helpers.js';
import { bundledCli } from '../support/cli.js';
import { binaryInferBody, json, seededInput, send, SERVE_DEFAULTS } from './helpers.js';

const BROKEN_WARNING =
  "model 'broken': its nin-sdk metadata is unusable, so it serves infer only, not the image route: " +
  "broken.onnx: 'nin.labels' metadata is not valid JSON";

function withoutNinMetadata(model: ModelProto): ModelProto {
  return { ...model, metadataProps: model.metadataProps.filter((p) => !p.key.startsWith('nin.')) };
}

describe('served models with broken or no nin-sdk metadata', () => {
  let server: InferenceServer;
  before(async () => {
    server = await InferenceServer.start(
      [
        {
          name: 'broken',
          bytes: encodeModel(withMetadata(defaultModelProto(), 'nin.labels', '["cat", "dog"')),
          source: 'broken.onnx',
        },
        { name: 'plain', bytes: encodeModel(withoutNinMetadata(defaultModelProto())), source: 'plain.onnx' },
      ],
      { ...SERVE_DEFAULTS },
    );
  });
  after(() => server.shutdown());

  test('one warning, for the broken model only', () => {
    assert.deepEqual(server.warnings, [BROKEN_WARNING]);
  });

  test('both serve infer; the image route of the broken one says why it is off', async () => {
    for (const name of ['broken', 'plain']) {
      const { body, headers } = binaryInferBody(seededInput(1), 1);
      const reply = await send(`${server.url}/v2/models/${name}/infer`, 'POST', body, headers);
      assert.equal(reply.status, 200, reply.body.toString());
    }
    const broken = await send(`${server.url}/v2/models/broken/classify`, 'POST', 'x');
    assert.equal(broken.status, 400);
    assert.deepEqual(json(broken), {
      error:
        "model 'broken' has no usable nin-sdk labels and preprocessing (broken.onnx: 'nin.labels' metadata is not " +
        'valid JSON): use its infer endpoint',
    });
    const plain = await send(`${server.url}/v2/models/plain/classify`, 'POST', 'x');
    assert.deepEqual(json(plain), {
      error: "model 'plain' has no usable nin-sdk labels and preprocessing: use its infer endpoint",
    });
  });
});

test('nin-sdk serve warns once on stderr at start about a model whose nin-sdk metadata is broken', async () => {
  const cli = await bundledCli('nin-sdk');
  const dir = temporaryFolder('nin-serve-metadata-');
  writeFileSync(
    join(dir, 'broken.onnx'),
    encodeModel(withMetadata(defaultModelProto(), 'nin.labels', '["cat", "dog"')),
  );
  const child = spawn(
    process.execPath,
    [cli, 'serve', '--model', 'broken.onnx', '--port', '0', '--threads', '1', '--log', '-'],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  try {
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (/ on http:\/\/\S+/.test(stderr)) resolve();
      });
      child.once('exit', () => reject(new Error(`serve exited early: ${stderr}`)));
    });
    const lines = stderr.trim().split('\n');
    assert.deepEqual(lines.slice(0, -1), [`nin-sdk serve: warning: ${BROKEN_WARNING}`]);
    assert.match(lines.at(-1)!, /^nin-sdk serve: broken on http:\/\/127\.0\.0\.1:\d+ /);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    child.kill('SIGKILL');
  }
});
