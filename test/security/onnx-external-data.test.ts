import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { create, toBinary } from '@bufbuild/protobuf';
import { AttributeProto_AttributeType, ModelProtoSchema, type ModelProto } from 'onnx-buf';
import { decodeOnnx } from '../../src/graph/onnx/decode.js';
import { findExternalData as findInModel } from '../../src/model/external-data.js';
import { loadClassifier } from '../../src/node/classify.js';
import { defaultModelProto, encodeModel, externalTensor, NIN_SDK, runCli, temporaryFolder } from './helpers.js';

/** The external tensors of a model's bytes, as the guard finds them in their decoding. */
const findExternalData = (bytes: Uint8Array) => findInModel(decodeOnnx(bytes));

const FIRST_WEIGHT = 'classifier.0.weight';
const FIRST_WEIGHT_DIMS = [192, 3, 5, 5];

/** The default model with its first convolution's weights read from `location` instead of from the file. */
function modelReading(location: string): ModelProto {
  const model = defaultModelProto();
  const graph = model.graph!;
  graph.initializer = graph.initializer.map((t) =>
    t.name === FIRST_WEIGHT ? externalTensor(FIRST_WEIGHT, FIRST_WEIGHT_DIMS, location) : t,
  );
  return model;
}

/** A model whose only external tensor is hidden at `where`. */
function tinyModel(graph: Record<string, unknown>, extra: Record<string, unknown> = {}): Uint8Array {
  return toBinary(
    ModelProtoSchema,
    create(ModelProtoSchema, {
      irVersion: 8n,
      opsetImport: [{ domain: '', version: 17n }],
      graph: { name: 'g', ...graph },
      ...extra,
    }),
  );
}

/** The command's name that starts an error line ('nin-sdk: ' or 'nin-sdk info: ': the CLI's own choice). */
const withoutPrefix = (line: string): string => line.replace(/^nin-sdk(?: \w+)?: /, '');

const secret = externalTensor('stolen', [4], '.ssh/id_rsa');

describe('ONNX external data', () => {
  test('is found wherever a TensorProto can be: initializers, Constant values, sparse tensors, subgraphs, functions, training info', () => {
    const constant = {
      opType: 'Constant',
      output: ['c'],
      attribute: [{ name: 'value', type: AttributeProto_AttributeType.TENSOR, t: secret }],
    };
    const cases: Record<string, Uint8Array> = {
      initializer: tinyModel({ initializer: [secret] }),
      'Constant node': tinyModel({ node: [constant] }),
      'sparse initializer': tinyModel({
        sparseInitializer: [
          { values: secret, indices: { name: 'i', dims: [4n], dataType: 7, int64Data: [0n, 1n, 2n, 3n] }, dims: [8n] },
        ],
      }),
      'sparse Constant': tinyModel({
        node: [
          {
            opType: 'Constant',
            output: ['c'],
            attribute: [
              {
                name: 'sparse_value',
                type: AttributeProto_AttributeType.SPARSE_TENSOR,
                sparseTensor: { values: secret, dims: [8n] },
              },
            ],
          },
        ],
      }),
      'tensors attribute': tinyModel({
        node: [
          { opType: 'X', attribute: [{ name: 'ts', type: AttributeProto_AttributeType.TENSORS, tensors: [secret] }] },
        ],
      }),
      'If branch two levels down': tinyModel({
        node: [
          {
            opType: 'If',
            input: ['cond'],
            output: ['y'],
            // a negative int attribute first: ten-byte varints must be skipped, not refused
            attribute: [
              { name: 'axis', type: AttributeProto_AttributeType.INT, i: -1n },
              {
                name: 'then_branch',
                type: AttributeProto_AttributeType.GRAPH,
                g: {
                  name: 't',
                  node: [
                    {
                      opType: 'Loop',
                      attribute: [
                        { name: 'body', type: AttributeProto_AttributeType.GRAPH, g: { name: 'b', node: [constant] } },
                      ],
                    },
                  ],
                },
              },
            ],
          },
        ],
      }),
      'graphs attribute': tinyModel({
        node: [
          {
            opType: 'X',
            attribute: [
              { name: 'gs', type: AttributeProto_AttributeType.GRAPHS, graphs: [{ name: 'b', initializer: [secret] }] },
            ],
          },
        ],
      }),
      function: tinyModel({}, { functions: [{ name: 'f', domain: 'd', node: [constant] }] }),
      'training info': tinyModel({}, { trainingInfo: [{ algorithm: { name: 'a', initializer: [secret] } }] }),
    };
    for (const [where, bytes] of Object.entries(cases)) {
      assert.deepEqual(findExternalData(bytes), [{ tensor: 'stolen', location: '.ssh/id_rsa' }], where);
    }
    // external_data without data_location is refused too, and so is a location-less EXTERNAL tensor
    const locationOnly = { ...secret, dataLocation: 0 };
    assert.deepEqual(findExternalData(tinyModel({ initializer: [locationOnly] })), [
      { tensor: 'stolen', location: '.ssh/id_rsa' },
    ]);
    assert.deepEqual(findExternalData(tinyModel({ initializer: [{ ...secret, externalData: [] }] })), [
      { tensor: 'stolen', location: '' },
    ]);
    assert.deepEqual(findExternalData(encodeModel(defaultModelProto())), []);
  });

  test('a model given as bytes that reads ./.ssh/id_rsa is refused before ONNX Runtime sees it', async () => {
    const bytes = encodeModel(modelReading('.ssh/id_rsa'));
    await assert.rejects(loadClassifier(bytes), {
      name: 'ModelError',
      message:
        'model bytes refers to external data (tensor "classifier.0.weight" in ".ssh/id_rsa"); ' +
        'nin-sdk loads only self-contained models, with every weight inside the .onnx file',
    });
  });

  test('a model given as a path is refused too, even with its data inside its own folder (nothing of it is read)', async () => {
    const folder = temporaryFolder('external');
    writeFileSync(join(folder, 'weights.bin'), Buffer.alloc(192 * 3 * 5 * 5 * 4, 7));
    const path = join(folder, 'model.onnx');
    writeFileSync(path, encodeModel(modelReading('weights.bin')));
    await assert.rejects(loadClassifier(path), {
      name: 'ModelError',
      message: `${path} refers to external data (tensor "classifier.0.weight" in "weights.bin"); nin-sdk loads only self-contained models, with every weight inside the .onnx file`,
    });
  });

  test('CLI: info, predict and export triton print one line and exit 1 for an absolute or a relative external path (was "internal error", exit 70)', () => {
    const folder = temporaryFolder('external-cli');
    writeFileSync(join(folder, 'secret.txt'), Buffer.alloc(192 * 3 * 5 * 5 * 4, 0x41));
    // 64 images: predict then starts its model in a worker thread, which must refuse the model in the same words.
    const many = join(folder, 'many');
    mkdirSync(many);
    for (let i = 0; i < 64; i++)
      copyFileSync(join(NIN_SDK, '../../../../fixtures/images/cat.jpg'), join(many, `${i}.jpg`));
    for (const location of ['/etc/hostname', 'secret.txt', '../secret.txt']) {
      const path = join(folder, 'hostile.onnx');
      writeFileSync(path, encodeModel(modelReading(location)));
      const expected = `refers to external data (tensor "classifier.0.weight" in ${JSON.stringify(location)}); nin-sdk loads only self-contained models, with every weight inside the .onnx file\n`;
      const info = runCli(NIN_SDK, ['info', 'hostile.onnx'], { cwd: folder });
      assert.equal(info.code, 1, info.stderr);
      assert.equal(withoutPrefix(info.stderr), `hostile.onnx ${expected}`);
      const predict = runCli(
        NIN_SDK,
        ['predict', '--json', '--model', 'hostile.onnx', join(NIN_SDK, '../../../../fixtures/images/cat.jpg')],
        { cwd: folder },
      );
      assert.equal(predict.code, 1, predict.stderr);
      assert.equal(predict.stdout, '');
      assert.equal(withoutPrefix(predict.stderr), `hostile.onnx ${expected}`);
      const predictMany = runCli(NIN_SDK, ['predict', '--model', 'hostile.onnx', 'many'], { cwd: folder });
      assert.equal(predictMany.code, 1, predictMany.stderr);
      assert.equal(predictMany.stdout, '');
      assert.equal(withoutPrefix(predictMany.stderr), `hostile.onnx ${expected}`);
      const exported = runCli(NIN_SDK, ['export', 'triton', 'hostile.onnx', 'repo'], { cwd: folder });
      assert.equal(exported.code, 1, exported.stderr);
      assert.equal(withoutPrefix(exported.stderr), `hostile.onnx ${expected}`);
    }
  });
});
