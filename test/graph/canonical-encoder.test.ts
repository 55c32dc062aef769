import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { create, toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema } from 'onnx-buf';
import { decodeOnnx, encodeOnnx } from '../../src/graph/onnx/decode.js';
import { FIXTURES, ROOT } from '../support/fixtures.js';

/** toBinary as encodeOnnx stands in for it: no unknown fields. */
const protobufEs = (bytes: Uint8Array) => toBinary(ModelProtoSchema, decodeOnnx(bytes), { writeUnknownFields: false });

describe('encodeOnnx, the one-buffer canonical encoder', () => {
  test("writes protobuf-es's toBinary bytes exactly: shipped, adopted and quantized models", () => {
    for (const path of [
      join(ROOT, 'models/nin-cifar10.onnx'),
      join(ROOT, 'models/nin-cifar10-int8.onnx'),
      join(FIXTURES, 'torch-export/cifar-small-torch.onnx'),
    ]) {
      const bytes = new Uint8Array(readFileSync(path));
      assert.deepEqual(encodeOnnx(decodeOnnx(bytes)), protobufEs(bytes), path);
    }
  });

  test('and for every field kind onnx.proto has: negative int32 and int64, packed and unpacked lists, oneofs, doubles, strings of any script', () => {
    const model = create(ModelProtoSchema, {
      irVersion: 8n,
      modelVersion: -3n,
      docString: 'déjà vu — 模型 🧪',
      opsetImport: [{ domain: '', version: 17n }],
      metadataProps: [{ key: 'k', value: '' }],
      graph: {
        name: 'g',
        initializer: [
          { name: 'f', dims: [2n], dataType: 1, floatData: [1.5, -0] },
          { name: 'i', dims: [3n], dataType: 6, int32Data: [-1, 0, 2 ** 31 - 1] },
          { name: 'l', dims: [2n], dataType: 7, int64Data: [-(2n ** 63n), 2n ** 63n - 1n] },
          { name: 'd', dims: [1n], dataType: 11, doubleData: [Math.PI] },
          { name: 'u', dims: [1n], dataType: 13, uint64Data: [2n ** 64n - 1n] },
          { name: 's', dims: [2n], dataType: 8, stringData: [new Uint8Array([0xff]), new Uint8Array()] },
          { name: 'r', dims: [], dataType: 1, rawData: new Uint8Array(300).fill(9), dataLocation: 0 },
        ],
        node: [
          {
            opType: 'Constant',
            output: ['c'],
            attribute: [{ name: 'value_ints', type: 7, ints: [-1n, 5n], floats: [], f: 0, i: 0n }],
          },
        ],
        input: [
          {
            name: 'x',
            type: {
              denotation: 'IMAGE',
              value: {
                case: 'tensorType',
                value: {
                  elemType: 1,
                  shape: {
                    dim: [{ value: { case: 'dimParam', value: 'batch' } }, { value: { case: 'dimValue', value: 0n } }],
                  },
                },
              },
            },
          },
        ],
      },
    });
    const bytes = toBinary(ModelProtoSchema, model);
    assert.deepEqual(encodeOnnx(decodeOnnx(bytes)), protobufEs(bytes));
    assert.deepEqual(encodeOnnx(model), toBinary(ModelProtoSchema, model));
  });
});
