import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { create, equals, fromBinary, toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema } from 'onnx-buf';
import {
  GraphBuilder,
  attr,
  boolTensor,
  float32Tensor,
  int32Tensor,
  int64Tensor,
  ops,
  readOnnx,
  readOnnxMetadata,
  tensorData,
  writeOnnx,
  type Graph,
} from '../../src/graph/index.js';
import { nodeToProto, tensorToProto, valueInfoToProto } from '../support/onnx-proto-messages.js';
import { kitchenSink, tinyNin } from './helpers.js';
import { decodeOnnx } from '../../src/graph/onnx/decode.js';

function withSeededWeights(graph: Graph): Graph {
  let seed = 1;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
  return {
    ...graph,
    initializers: graph.initializers.map((i) => ({
      name: i.name,
      tensor: float32Tensor(Float32Array.from({ length: i.tensor.data.length }, random), i.tensor.dims),
    })),
  };
}

describe('writeOnnx / readOnnx', () => {
  it('round-trips a graph, its weights and the model header', () => {
    const graph = withSeededWeights(tinyNin());
    const bytes = writeOnnx(graph, {
      producerVersion: '0.1.0',
      docString: 'a test model',
      // JSON.parse makes "__proto__" an own key, as a hostile or careless file could
      metadata: JSON.parse('{"family":"cifar10","labels":"[\\"airplane\\"]","__proto__":"not a prototype"}') as Record<
        string,
        string
      >,
    });
    const model = readOnnx(bytes);
    assert.deepEqual(model.graph, graph);
    assert.equal(model.opsetVersion, 17);
    assert.equal(model.irVersion, 8);
    assert.equal(model.producerName, 'nin-sdk');
    assert.equal(model.producerVersion, '0.1.0');
    assert.equal(model.docString, 'a test model');
    assert.deepEqual(Object.keys(model.metadata), ['family', 'labels', '__proto__']);
    assert.equal(model.metadata['__proto__'], 'not a prototype');
    assert.equal(Object.getPrototypeOf(model.metadata), Object.prototype);
    const { graph: _graph, ...info } = model;
    assert.deepEqual(readOnnxMetadata(decodeOnnx(bytes)), info);
  });

  it('reads the header of the shipped model from its decoding, and refuses damaged bytes', () => {
    const bytes = new Uint8Array(readFileSync('models/nin-cifar10.onnx'));
    const { graph: _graph, ...info } = readOnnx(bytes);
    assert.deepEqual(readOnnxMetadata(decodeOnnx(bytes)), info);
    // JSON text decodes as protobuf fields of no use (an unknown group and more): no graph, then.
    const refused = { message: /^readOnnx: (not a valid ONNX model \(|the model has no graph$)/ };
    assert.throws(() => readOnnx(bytes.subarray(0, bytes.length - 1000)), refused);
    assert.throws(() => readOnnx(new TextEncoder().encode('{"not": "onnx"}')), refused);
    assert.throws(() => readOnnx(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f])), refused);
    assert.throws(() => readOnnxMetadata(decodeOnnx(new Uint8Array([0x08, 0x08]))), {
      message: 'readOnnx: the model imports no ai.onnx opset',
    });
  });

  it('decodes to the same ModelProto as a plain toBinary of the whole model', () => {
    const graph = withSeededWeights(tinyNin());
    const reference = create(ModelProtoSchema, {
      irVersion: 8n,
      opsetImport: [{ domain: '', version: 17n }],
      producerName: 'nin-sdk',
      metadataProps: [{ key: 'k', value: 'v' }],
      graph: {
        name: graph.name,
        docString: graph.docString,
        node: graph.nodes.map(nodeToProto),
        input: graph.inputs.map(valueInfoToProto),
        output: graph.outputs.map(valueInfoToProto),
        initializer: graph.initializers.map((i) => tensorToProto(i.name, i.tensor)),
      },
    });
    const ours = fromBinary(ModelProtoSchema, writeOnnx(graph, { metadata: { k: 'v' } }));
    assert.ok(equals(ModelProtoSchema, ours, reference));
    assert.equal(
      writeOnnx(graph, { metadata: { k: 'v' } }).byteLength,
      toBinary(ModelProtoSchema, reference).byteLength,
    );
  });

  it('round-trips every dtype and attribute kind', () => {
    const g = new GraphBuilder({ name: 'kinds' });
    const x = g.input('x', 'float16', ['n', 4]);
    const half = g.initializer('half', tensorData('float16', [4], new Uint16Array([0x3c00, 0xc000, 0x2e66, 0x7bff])));
    g.initializer('longs', int64Tensor([-(2 ** 40), 0, 7], [3, 1]));
    g.initializer('ints', int32Tensor([1, -1]));
    g.initializer('flags', boolTensor([true, false, true]));
    g.initializer('empty', float32Tensor([], [0, 3]));
    const y = ops.add(g, x, half);
    const z = g.addNode(
      'Custom',
      [y],
      {
        f: attr.float(0.1),
        fs: attr.floats([1.5, -0.2]),
        s: attr.string('ünïcode'),
        t: attr.tensor(int64Tensor([1, 2, 3])),
        i: attr.int(-5),
        is: attr.ints([]),
      },
      { outputTypes: [{ dtype: 'float16', shape: ['n', 4] }] },
    );
    g.output(z, 'z');
    const graph = g.build();
    const bytes = writeOnnx(graph, { valueInfo: true });
    assert.deepEqual(readOnnx(bytes).graph, graph);
  });

  it('round-trips one use of every op, in both opset forms', () => {
    for (const opsetVersion of [17, 18]) {
      const graph = kitchenSink(opsetVersion);
      assert.deepEqual(readOnnx(writeOnnx(graph, { opsetVersion })).graph, graph);
    }
  });

  it('writes value_info for intermediate values only when asked', () => {
    const graph = tinyNin();
    const count = (valueInfo: boolean) =>
      fromBinary(ModelProtoSchema, writeOnnx(graph, { valueInfo })).graph!.valueInfo.length;
    assert.equal(count(false), 0);
    assert.equal(count(true), graph.nodes.length - 2); // all but the two graph outputs
  });

  it('writes the opset the graph was built for, and checks the graph against it', () => {
    const g18 = new GraphBuilder({ opsetVersion: 18 });
    g18.output(ops.reduceMean(g18, g18.input('x', 'float32', [2, 3]), [1], { name: 'mean' }), 'y');
    assert.equal(g18.build().opsetVersion, 18);
    assert.equal(readOnnx(writeOnnx(g18.build())).opsetVersion, 18);
    assert.equal(readOnnx(writeOnnx(g18.build())).graph.opsetVersion, 18);
    assert.throws(() => writeOnnx(g18.build(), { opsetVersion: 17 }), {
      message: 'writeOnnx: the graph is built for opset 18, not 17',
    });
    assert.throws(() => writeOnnx({ ...g18.build(), opsetVersion: 17 }), {
      message: 'validateGraph: ReduceMean node mean has axes as an input, which needs opset ≥ 18 (writing opset 17)',
    });

    const g17 = new GraphBuilder();
    g17.output(ops.reduceMax(g17, g17.input('x', 'float32', [2, 3]), [1]), 'y');
    assert.equal(g17.build().opsetVersion, 17);
    assert.throws(() => writeOnnx({ ...g17.build(), opsetVersion: 18 }), {
      message:
        'validateGraph: ReduceMax node reduce_max_0 has an axes attribute, but from opset 18 axes are an input (writing opset 18)',
    });
  });

  it('refuses graphs that read undefined values', () => {
    const graph = tinyNin();
    const broken: Graph = { ...graph, initializers: graph.initializers.slice(1) };
    assert.throws(() => writeOnnx(broken), {
      message: 'validateGraph: node conv_0 (Conv) reads "classifier.0.weight", which is not defined before it',
    });
  });

  it('reports files that are not ONNX models', () => {
    assert.throws(
      () => readOnnx(new Uint8Array([0xff, 0xff, 0xff])),
      (e: Error) => e.message.startsWith('readOnnx: not a valid ONNX model ('),
    );
    assert.throws(() => readOnnx(toBinary(ModelProtoSchema, create(ModelProtoSchema, { irVersion: 8n }))), {
      message: 'readOnnx: the model has no graph',
    });
    const old = create(ModelProtoSchema, {
      irVersion: 6n,
      opsetImport: [{ domain: '', version: 11n }],
      graph: { name: 'g' },
    });
    assert.throws(() => readOnnx(toBinary(ModelProtoSchema, old)), {
      message: 'readOnnx: the model uses opset 11; this IR reads opset 13 and later',
    });
    const foreign = create(ModelProtoSchema, {
      irVersion: 8n,
      opsetImport: [{ domain: '', version: 17n }],
      graph: { node: [{ opType: 'Gelu', domain: 'com.microsoft', name: 'g0' }] },
    });
    assert.throws(() => readOnnx(toBinary(ModelProtoSchema, foreign)), {
      message: 'readOnnx: node g0 (Gelu) is in domain com.microsoft, which this IR does not support',
    });
  });

  it('reads tensors stored in typed fields and old-style initializer inputs', () => {
    const model = create(ModelProtoSchema, {
      irVersion: 3n,
      opsetImport: [{ domain: '', version: 13n }],
      graph: {
        name: 'legacy',
        initializer: [{ name: 'w', dataType: 1, dims: [2n], floatData: [1.5, -2] }],
        input: [
          valueInfoToProto({ name: 'x', dtype: 'float32', shape: ['batch', 2] }),
          valueInfoToProto({ name: 'w', dtype: 'float32', shape: [2] }),
        ],
        output: [valueInfoToProto({ name: 'y', dtype: 'float32', shape: ['batch', 2] })],
        node: [{ opType: 'Add', input: ['x', 'w'], output: ['y'], name: 'add' }],
      },
    });
    const { graph } = readOnnx(toBinary(ModelProtoSchema, model));
    assert.deepEqual(
      graph.inputs.map((v) => v.name),
      ['x'],
    );
    assert.deepEqual(graph.initializers[0]!.tensor.data, new Float32Array([1.5, -2]));
    assert.deepEqual(graph.nodes[0]!.outputs, [{ name: 'y', dtype: 'float32', shape: ['batch', 2] }]);
  });
});
