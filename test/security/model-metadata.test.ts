import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadClassifier } from '../../src/node/classify.js';
import { preprocessPixels } from '../../src/preprocess/pipeline.js';
import { CIFAR10_PREPROCESSING, type PreprocessSpec } from '../../src/preprocess/spec.js';
import { ortErrorLine } from '../../src/runtime/ort-error.js';
import { FIXTURES, ROOT } from '../support/fixtures.js';
import { defaultModelProto, encodeModel, NIN_SDK, runCli, temporaryFolder, withMetadata } from './helpers.js';

const CIFAR_SPEC = {
  inputSize: 32,
  resizeShorterSide: 32,
  channelOrder: 'RGB',
  scale: 1 / 255,
  mean: [0.4914, 0.4822, 0.4465],
  std: [0.247, 0.2435, 0.2616],
};
const LABELS = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

function modelWith(key: string, value: string): Uint8Array {
  return encodeModel(withMetadata(defaultModelProto(), key, value));
}

const specPrefix = "model bytes: 'nin.preprocessing' metadata is not a valid preprocessing spec: ";

describe('model metadata is checked against bounds and against the graph before any work', () => {
  test('preprocessing fields out of bounds are refused by name (a 30,000-pixel resize took 2.7-4 GB)', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ resizeShorterSide: 30_000 }, 'resizeShorterSide must be a whole number from 1 to 4096, got 30000'],
      [{ resizeShorterSide: 1e9 }, 'resizeShorterSide must be a whole number from 1 to 4096, got 1000000000'],
      [{ inputSize: 5000, resizeShorterSide: 5000 }, 'inputSize must be a whole number from 1 to 4096, got 5000'],
      [{ std: [0.2, 0, 0.2] }, 'std must be three finite positive numbers, got [0.2, 0, 0.2]'],
      [{ std: [0.2, -1, 0.2] }, 'std must be three finite positive numbers, got [0.2, -1, 0.2]'],
      [{ std: [0.2, 0.2] }, 'std must be three finite positive numbers, got [0.2, 0.2]'],
      [{ scale: '1' }, 'scale must be a finite non-zero number, got "1"'],
      [{ channelOrder: 'GRB' }, `channelOrder must be 'RGB' or 'BGR', got "GRB"`],
    ];
    for (const [change, reason] of cases) {
      await assert.rejects(
        loadClassifier(modelWith('nin.preprocessing', JSON.stringify({ ...CIFAR_SPEC, ...change }))),
        {
          name: 'ModelError',
          message: specPrefix + reason,
        },
      );
    }
    // 1e999 parses to Infinity (JSON.stringify would have written null)
    const infinite = JSON.stringify(CIFAR_SPEC).replace('"mean":[0.4914', '"mean":[1e999');
    await assert.rejects(loadClassifier(modelWith('nin.preprocessing', infinite)), {
      message: `${specPrefix}mean must be three finite numbers, got [Infinity, 0.4822, 0.4465]`,
    });
    await assert.rejects(loadClassifier(modelWith('nin.preprocessing', '[1,2]')), {
      message: `${specPrefix}must be an object, got [1, 2]`,
    });
  });

  test('an input size other than the graph input, or a label count other than the output dim, is refused', async () => {
    await assert.rejects(
      loadClassifier(
        modelWith('nin.preprocessing', JSON.stringify({ ...CIFAR_SPEC, inputSize: 64, resizeShorterSide: 64 })),
      ),
      {
        name: 'ModelError',
        message:
          "model bytes: the graph's input input is [batch, 3, 32, 32], but its preprocessing metadata makes [N, 3, 64, 64] (three colour planes of inputSize 64)",
      },
    );
    await assert.rejects(loadClassifier(modelWith('nin.labels', JSON.stringify([...LABELS, 'eleventh']))), {
      name: 'ModelError',
      message:
        "model bytes: the graph's output probabilities is [batch, 10], but its metadata has 11 labels ([N, 11] expected)",
    });
  });

  test('labels with control characters are escaped in predict and info output (JSON escapes them itself)', () => {
    const folder = temporaryFolder('labels');
    const hostile = ['\u001b]0;pwned\u0007\u001b[2Jairplane', ...LABELS.slice(1)];
    writeFileSync(join(folder, 'm.onnx'), modelWith('nin.labels', JSON.stringify(hostile)));
    copyFileSync(join(FIXTURES, 'images', 'cifar10', 'airplane-0003.jpg'), join(folder, 'a.jpg'));
    const predict = runCli(NIN_SDK, [
      'predict',
      '--model',
      join(folder, 'm.onnx'),
      '--top',
      '1',
      join(folder, 'a.jpg'),
    ]);
    assert.equal(predict.code, 0, predict.stderr);
    assert.match(predict.stdout, /^\S+a\.jpg {2}\\u001b\]0;pwned\\u0007\\u001b\[2Jairplane \d+\.\d%\n$/);
    const info = runCli(NIN_SDK, ['info', join(folder, 'm.onnx')]);
    assert.equal(info.code, 0, info.stderr);
    assert.match(info.stdout, /labels: +\\u001b\]0;pwned\\u0007\\u001b\[2Jairplane, automobile/);
    assert.doesNotMatch(predict.stdout + info.stdout, /\u001b/);
  });
});

test('a spec within bounds cannot make a long, thin image into gigabytes: one resized image is at most 64 megapixels', () => {
  const thin = { data: new Uint8Array(20_000 * 2 * 3), width: 20_000, height: 2, channels: 3 as const };
  const spec: PreprocessSpec = { ...CIFAR10_PREPROCESSING, inputSize: 4096, resizeShorterSide: 4096 };
  assert.throws(() => preprocessPixels(thin, spec, 'thin.png'), {
    name: 'ImageError',
    message:
      'thin.png (20000×2) would be resized to 40960000×4096, over the limit of 64 megapixels for one resized image',
  });
});

describe('one line, right exit code', () => {
  test("ONNX Runtime's multi-line messages are told in their first line, without source paths or control characters", () => {
    const message =
      '/onnxruntime_src/onnxruntime/core/providers/cpu/tensor/reshape_helper.h:47 onnxruntime::ReshapeHelper::ReshapeHelper input_shape_size == size was false.\u001b[2J The input tensor cannot be reshaped\n  at frame 1\n  at frame 2\n';
    assert.equal(
      ortErrorLine(new Error(`\n${message}`)),
      'onnxruntime::ReshapeHelper::ReshapeHelper input_shape_size == size was false. [2J The input tensor cannot be reshaped',
    );
  });

  test('predict piped into head -2 ends quietly: no EPIPE stack trace, exit 0', () => {
    const folder = temporaryFolder('epipe');
    for (let i = 0; i < 300; i++)
      copyFileSync(join(FIXTURES, 'images', 'cat.jpg'), join(folder, `${String(i).padStart(3, '0')}.jpg`));
    const shell = spawnSync(
      'bash',
      ['-c', `"${process.execPath}" "${NIN_SDK}" predict "${folder}" | head -2; echo "status \${PIPESTATUS[0]}" >&2`],
      {
        encoding: 'utf8',
        cwd: ROOT,
        timeout: 120_000,
      },
    );
    assert.equal(shell.stdout.trim().split('\n').length, 2);
    assert.equal(shell.stderr, 'status 0\n');
  });
});
