import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { equals } from '@bufbuild/protobuf';
import { ModelProtoSchema } from 'onnx-buf';
import * as ort from 'onnxruntime-node';
import { convertCheckpoint } from '../../src/convert/index.js';
import { connect, defaultModelPath, loadClassifier, type NodeClassifier } from '../../src/index.js';
import { decodeOnnx, encodeOnnx } from '../../src/graph/onnx/decode.js';
import { decodeImage } from '../../src/preprocess/node/index.js';
import { resizeAndCropPixels } from '../../src/preprocess/pipeline.js';
import { InferenceServer } from '../../src/serve/server.js';
import { tritonConfigText, tritonModelConfig } from '../../src/serve/triton/config.js';
import { exportTritonRepository, type TritonExportOptions } from '../../src/serve/triton/export.js';
import { bundledCli } from '../support/cli.js';
import { FIXTURES } from '../support/fixtures.js';
import { unlessPresent } from '../support/prerequisites.js';
import { SERVE_DEFAULTS } from './helpers.js';

const PROTO_DIR = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const CAT = join(FIXTURES, 'images', 'cifar10', 'cat-0000.jpg');
const OPTIONS: TritonExportOptions = {
  name: 'nin',
  maxBatchSize: 32,
  instances: 2,
  instanceKind: 'KIND_CPU',
  maxQueueDelayMicroseconds: 250,
  withPreprocessing: false,
};

/** Why Triton's model_config.proto cannot be compiled and parsed here (protoc + python3-protobuf), or undefined. */
function protobufMissing(): string | undefined {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import google.protobuf'], { encoding: 'utf8' });
  const protoc = spawnSync('protoc', ['--version'], { encoding: 'utf8' });
  const reason = "protoc or python3's protobuf is missing: install Debian's protobuf-compiler and python3-protobuf";
  return unlessPresent(probe.status === 0 && protoc.status === 0, reason);
}

/** config.pbtxt parsed by protobuf's own text-format parser into Triton's ModelConfig, back as JSON. */
function parseWithTritonSchema(work: string, configPath: string): Record<string, unknown> {
  const out = join(work, 'proto-py');
  spawnSync('mkdir', ['-p', out]);
  const compiled = spawnSync('protoc', [`--proto_path=${PROTO_DIR}`, `--python_out=${out}`, 'model_config.proto'], {
    encoding: 'utf8',
  });
  assert.equal(compiled.status, 0, compiled.stderr);
  const script = join(work, 'parse.py');
  writeFileSync(
    script,
    [
      'import sys',
      `sys.path.insert(0, ${JSON.stringify(out)})`,
      'import model_config_pb2',
      'from google.protobuf import text_format, json_format',
      'config = text_format.Parse(open(sys.argv[1]).read(), model_config_pb2.ModelConfig())',
      'print(json_format.MessageToJson(config, preserving_proto_field_name=True))',
    ].join('\n'),
  );
  const parsed = spawnSync('/usr/bin/python3', [script, configPath], { encoding: 'utf8' });
  assert.equal(parsed.status, 0, parsed.stderr);
  return JSON.parse(parsed.stdout) as Record<string, unknown>;
}

let work: string;
let classifier: NodeClassifier;
before(async () => {
  work = mkdtempSync(join(tmpdir(), 'nin-triton-'));
  classifier = await loadClassifier(undefined, { threads: 1, dtype: 'fp32' });
});
after(async () => {
  await classifier.dispose();
  rmSync(work, { recursive: true, force: true });
});

describe('nin-sdk export triton', () => {
  test(
    "config.pbtxt parses against Triton's model_config.proto with the expected fields; model and labels beside it",
    { skip: protobufMissing() },
    async () => {
      const repo = join(work, 'repo');
      const result = await exportTritonRepository(defaultModelPath(), repo, OPTIONS);
      const config = parseWithTritonSchema(work, join(repo, 'nin', 'config.pbtxt'));
      assert.deepEqual(config, {
        name: 'nin',
        platform: 'onnxruntime_onnx',
        max_batch_size: 32,
        input: [{ name: 'input', data_type: 'TYPE_FP32', format: 'FORMAT_NCHW', dims: ['3', '32', '32'] }],
        output: [
          { name: 'logits', data_type: 'TYPE_FP32', dims: ['10'], label_filename: 'labels.txt' },
          { name: 'probabilities', data_type: 'TYPE_FP32', dims: ['10'], label_filename: 'labels.txt' },
          { name: 'class_maps', data_type: 'TYPE_FP32', dims: ['10', '8', '8'] },
        ],
        dynamic_batching: { max_queue_delay_microseconds: '250' },
        instance_group: [{ count: 2, kind: 'KIND_CPU' }],
        parameters: {
          'nin.family': { string_value: 'cifar10' },
          'nin.labels': { string_value: JSON.stringify(classifier.labels) },
          'nin.preprocessing': { string_value: JSON.stringify(classifier.info.preprocessing) },
          'nin.outputs': { string_value: '{"logits":"logits","probabilities":"probabilities","maps":"class_maps"}' },
        },
      });
      // The model as checked: its canonical re-encoding, which decodes to the same model as the file.
      const written = readFileSync(join(repo, 'nin', '1', 'model.onnx'));
      const source = readFileSync(defaultModelPath());
      assert.deepEqual(new Uint8Array(written), encodeOnnx(decodeOnnx(source)));
      assert.ok(equals(ModelProtoSchema, decodeOnnx(written), decodeOnnx(source)));
      assert.equal(readFileSync(join(repo, 'nin', 'labels.txt'), 'utf8'), `${classifier.labels.join('\n')}\n`);
      assert.equal(result.files.length, 3);
      await assert.rejects(exportTritonRepository(defaultModelPath(), repo, OPTIONS), {
        message: `${join(repo, 'nin')} already exists: remove it, choose another --name or add --force`,
      });
    },
  );

  test(
    'the preprocessing-in-graph variant takes uint8 NHWC pixels and gives the probabilities of the float model',
    { skip: protobufMissing() },
    async () => {
      const repo = join(work, 'repo-pixels');
      await exportTritonRepository(defaultModelPath(), repo, { ...OPTIONS, name: 'pixels', withPreprocessing: true });
      const config = parseWithTritonSchema(work, join(repo, 'pixels', 'config.pbtxt'));
      assert.deepEqual(config['input'], [
        { name: 'pixels', data_type: 'TYPE_UINT8', format: 'FORMAT_NHWC', dims: ['32', '32', '3'] },
      ]);

      const session = await ort.InferenceSession.create(join(repo, 'pixels', '1', 'model.onnx'), {
        intraOpNumThreads: 1,
      });
      const pixels = resizeAndCropPixels((await decodeImage(CAT)).pixels, classifier.info.preprocessing);
      const out = await session.run({ pixels: new ort.Tensor('uint8', pixels.data as Uint8Array, [1, 32, 32, 3]) });
      await session.release();
      const expected = await classifier.classify(CAT, { top: 10 });
      const probabilities = out['probabilities']!.data as Float32Array;
      // The graph does normalize.ts's float32 operations in its order: the same input tensor, the same scores.
      for (const p of expected.top) assert.equal(probabilities[p.index], p.probability);
    },
  );

  test("served by nin-sdk serve, the pixel model answers connect() with the float model's predictions", async () => {
    const repo = join(work, 'repo-served');
    await exportTritonRepository(defaultModelPath(), repo, { ...OPTIONS, name: 'pixels', withPreprocessing: true });
    const server = await InferenceServer.start(
      [{ name: 'pixels', bytes: readFileSync(join(repo, 'pixels', '1', 'model.onnx')), source: 'pixels' }],
      SERVE_DEFAULTS,
    );
    try {
      const remote = await connect(server.url, { model: 'pixels' });
      assert.equal(remote.metadata.inputs[0]!.datatype, 'UINT8');
      const images = [CAT, join(FIXTURES, 'images', 'grey-400x300.jpg'), join(FIXTURES, 'images', 'odd-33x47.png')];
      assert.deepEqual(
        (await remote.classifyBatch(images, { top: 3 })).map(({ top }) => top),
        (await classifier.classifyBatch(images, { top: 3 })).map(({ top }) => top),
      );
    } finally {
      await server.shutdown();
    }
  });
  test('a grey model (d2l): the pixel variant takes one byte per pixel, and connect() gets the local predictions', async () => {
    const d2l = join(work, 'd2l.onnx');
    writeFileSync(d2l, (await convertCheckpoint(readFileSync(join(FIXTURES, 'arch', 'd2l-nin-small.params')))).onnx);
    const repo = join(work, 'repo-grey');
    await exportTritonRepository(d2l, repo, { ...OPTIONS, name: 'grey', withPreprocessing: true });
    const config = readFileSync(join(repo, 'grey', 'config.pbtxt'), 'utf8');
    assert.match(config, /name: "pixels"\s+data_type: TYPE_UINT8\s+format: FORMAT_NHWC\s+dims: \[ 224, 224, 1 \]/);
    const local = await loadClassifier(d2l, { threads: 1, dtype: 'fp32' });
    const server = await InferenceServer.start(
      [{ name: 'grey', bytes: readFileSync(join(repo, 'grey', '1', 'model.onnx')), source: 'grey' }],
      SERVE_DEFAULTS,
    );
    try {
      const remote = await connect(server.url, { model: 'grey' });
      assert.deepEqual(remote.metadata.inputs[0]!.shape.slice(1), [224, 224, 1]);
      const images = [
        CAT,
        join(FIXTURES, 'images', 'rgba-200x240.png'),
        join(FIXTURES, 'images', 'large-1600x1200.jpg'),
      ];
      const served = await remote.classifyBatch(images, { top: 10 });
      const expected = await local.classifyBatch(images, { top: 10 });
      // The graph repeats normalize.ts's float32 operations: the same tensor, the same probabilities.
      served.forEach(({ top }, i) =>
        top.forEach((p, j) =>
          assert.deepEqual([p.index, p.probability], [expected[i]!.top[j]!.index, expected[i]!.top[j]!.probability]),
        ),
      );
    } finally {
      await server.shutdown();
      await local.dispose();
    }
  });

  test(
    'hostile names (quotes, backslashes, line breaks, control bytes, enum-like, unicode) parse back as themselves',
    { skip: protobufMissing() },
    () => {
      const names = [
        'TYPE_FP32',
        'KIND_GPU',
        'FORMAT_NCHW',
        'say "hi"',
        'back\\slash\\',
        'line\nbreak\r\ttab',
        'nul\u0000bell\u0007del\u007f',
        'ünïcödé 猫 😀',
        '\\u0041 not an escape',
        '} input [ { name: "x" } ]',
      ];
      const tensor = (name: string): { name: string; datatype: 'FP32'; shape: number[] } => ({
        name,
        datatype: 'FP32',
        shape: [-1, 10],
      });
      const config = tritonModelConfig(
        {
          name: 'TYPE_FP32',
          metadata: {
            name: 'TYPE_FP32',
            versions: ['1'],
            platform: 'onnxruntime_onnx',
            inputs: [tensor('KIND_CPU')],
            outputs: names.map(tensor),
          },
          info: undefined,
        },
        { maxBatchSize: 4, instances: 1, instanceKind: 'KIND_GPU' },
      );
      const path = join(work, 'hostile.pbtxt');
      writeFileSync(
        path,
        tritonConfigText({ ...config, parameters: { 'nin.labels': { string_value: names.join('|') } } }),
      );
      const parsed = parseWithTritonSchema(work, path);
      assert.equal(parsed['name'], 'TYPE_FP32');
      assert.equal(parsed['platform'], 'onnxruntime_onnx');
      assert.deepEqual(
        (parsed['input'] as { name: string }[]).map((t) => t.name),
        ['KIND_CPU'],
      );
      assert.deepEqual(
        (parsed['output'] as { name: string }[]).map((t) => t.name),
        names,
      );
      assert.deepEqual(parsed['parameters'], { 'nin.labels': { string_value: names.join('|') } });
      assert.deepEqual(parsed['instance_group'], [{ count: 1, kind: 'KIND_GPU' }]);
    },
  );

  test('an existing model folder is refused; with force it is replaced whole, nothing of the old one left', async () => {
    const repo = join(work, 'repo-force');
    await exportTritonRepository(defaultModelPath(), repo, { ...OPTIONS, name: 'TYPE_FP32' });
    writeFileSync(join(repo, 'TYPE_FP32', 'stale.txt'), 'from before');
    await assert.rejects(exportTritonRepository(defaultModelPath(), repo, { ...OPTIONS, name: 'TYPE_FP32' }), {
      name: 'RangeError',
      message: `${join(repo, 'TYPE_FP32')} already exists: remove it, choose another --name or add --force`,
    });
    await exportTritonRepository(defaultModelPath(), repo, {
      ...OPTIONS,
      name: 'TYPE_FP32',
      maxBatchSize: 8,
      force: true,
    });
    assert.deepEqual(readdirSync(repo), ['TYPE_FP32']);
    assert.deepEqual(readdirSync(join(repo, 'TYPE_FP32')).sort(), ['1', 'config.pbtxt', 'labels.txt']);
    const config = readFileSync(join(repo, 'TYPE_FP32', 'config.pbtxt'), 'utf8');
    assert.match(config, /^name: "TYPE_FP32"\nplatform: "onnxruntime_onnx"\nmax_batch_size: 8\n/);
  });

  test('nin-sdk export triton --name TYPE_FP32: refused a second time, replaced with --force', async () => {
    const cli = await bundledCli('nin-sdk');
    const repo = join(work, 'repo-cli');
    const run = (...extra: string[]): { status: number | null; stderr: string } =>
      spawnSync(
        process.execPath,
        [cli, 'export', 'triton', defaultModelPath(), repo, '--name', 'TYPE_FP32', ...extra],
        {
          encoding: 'utf8',
          timeout: 60_000,
        },
      );
    assert.equal(run().status, 0);
    const again = run();
    assert.equal(again.status, 1);
    assert.equal(
      again.stderr,
      `nin-sdk: ${join(repo, 'TYPE_FP32')} already exists: remove it, choose another --name or add --force\n`,
    );
    const forced = run('--force', '--max-batch-size', '7');
    assert.equal(forced.status, 0, forced.stderr);
    assert.match(
      readFileSync(join(repo, 'TYPE_FP32', 'config.pbtxt'), 'utf8'),
      /^name: "TYPE_FP32"\n.*\nmax_batch_size: 7\n/s,
    );
  });
});
