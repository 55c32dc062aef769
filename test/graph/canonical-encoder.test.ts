import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { create, toBinary } from '@bufbuild/protobuf';
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { GraphProtoSchema, ModelProtoSchema } from 'onnx-buf';
import { isCanonicalEncoding } from '../../src/graph/onnx/canonical-encoder.js';
import { canonicalOnnxBytes, decodeOnnx, encodeOnnx } from '../../src/graph/onnx/decode.js';
import { checkModel } from '../../src/model/checked-model.js';
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

describe('canonicalOnnxBytes: a model that is its own canonical encoding is handed over as it is', () => {
  const shipped = new Uint8Array(readFileSync(join(ROOT, 'models/nin-cifar10.onnx')));

  test('the shipped model (written by writeOnnx) is kept, the same memory, and equals its re-encoding', () => {
    const checked = checkModel(shipped, 'shipped');
    assert.equal(checked.bytes, shipped);
    assert.deepEqual(encodeOnnx(checked.proto), shipped);
    // A view of a larger buffer is encoded anew: a worker's setup message would clone all of that buffer.
    const inLarger = new Uint8Array(shipped.length + 8);
    inLarger.set(shipped, 8);
    const view = inLarger.subarray(8);
    const fromView = checkModel(view, 'view');
    assert.notEqual(fromView.bytes, view);
    assert.deepEqual(fromView.bytes, shipped);
  });

  test("a model whose fields are in another order (the graph last, as nin-sdk's former writer put it) is re-encoded", () => {
    const proto = decodeOnnx(shipped);
    const graph = toBinary(GraphProtoSchema, proto.graph!);
    const header = toBinary(ModelProtoSchema, { ...proto, graph: undefined });
    const length = new BinaryWriter().uint32(graph.length).finish();
    const reordered = new Uint8Array([...header, 0x3a, ...length, ...graph]);
    assert.deepEqual(decodeOnnx(reordered), proto);
    const checked = checkModel(reordered, 'reordered');
    assert.notEqual(checked.bytes, reordered);
    assert.deepEqual(checked.bytes, shipped);
  });

  test('one byte that the re-encoding would write otherwise, anywhere, and the bytes are re-encoded', () => {
    // An unknown field at the end (dropped by decoding), a bool written as 2, a length prefix padded to two bytes.
    const unknown = new Uint8Array([...shipped, 0xf8, 0x07, 0x01]); // field 127, varint 1
    const proto = decodeOnnx(unknown);
    assert.equal(canonicalOnnxBytes(proto, unknown) === unknown, false);
    assert.deepEqual(canonicalOnnxBytes(proto, unknown), shipped);

    const model = create(ModelProtoSchema, { irVersion: 8n, graph: { name: 'g' } });
    const canonical = toBinary(ModelProtoSchema, model);
    assert.equal(isCanonicalEncoding(ModelProtoSchema, model, canonical), true);
    // graph (field 7) with its length as a two-byte varint: the same tree, other bytes.
    const padded = new Uint8Array([...canonical.subarray(0, 3), 0x83, 0x00, ...canonical.subarray(4)]);
    assert.deepEqual(decodeOnnx(padded), decodeOnnx(canonical));
    assert.equal(isCanonicalEncoding(ModelProtoSchema, decodeOnnx(padded), padded), false);
  });

  test('weights are compared unless they are the same memory at the same place', () => {
    const proto = decodeOnnx(shipped);
    const copy = shipped.slice();
    assert.equal(isCanonicalEncoding(ModelProtoSchema, proto, copy), true);
    const weight = proto.graph!.initializer[0]!.rawData;
    const at = weight.byteOffset - shipped.byteOffset;
    copy[at] = copy[at]! ^ 1;
    assert.equal(isCanonicalEncoding(ModelProtoSchema, proto, copy), false);
    assert.equal(isCanonicalEncoding(ModelProtoSchema, decodeOnnx(copy), copy), true);
  });
});
