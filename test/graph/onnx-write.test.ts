/**
 * writeOnnx writes a model's canonical encoding with the one encoder (canonical-encoder.ts). These tests hold it to
 * protobuf-es's toBinary of the same model built apart (test/support/onnx-proto-messages.ts), on graphs of every
 * kind it writes: converted checkpoints of every architecture, an int8 QDQ model, training artifacts, every
 * attribute and dtype, metadata, and the committed models, which must come back byte for byte; and hold the pieces
 * of writeOnnxParts to be the tensors' own memory.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { architectureById, convertCheckpoint, NIN_CIFAR10, parseArchitectureJson } from '../../src/convert/index.js';
import {
  attr,
  boolTensor,
  float32Tensor,
  GraphBuilder,
  int32Tensor,
  int64Tensor,
  joinOnnxParts,
  ops,
  readOnnx,
  tensorData,
  writeOnnx,
  writeOnnxParts,
  type Graph,
  type WriteOnnxOptions,
} from '../../src/graph/index.js';
import { buildNinTrainingGraphs } from '../../src/train/nin/forward.js';
import { architectureFromWidths } from '../../src/train/index.js';
import { CHECKPOINTS, FIXTURES, ROOT } from '../support/fixtures.js';
import { writeOnnxWithProtobufEs } from '../support/onnx-proto-messages.js';
import { kitchenSink, tinyNin } from './helpers.js';

function assertSameBytes(graph: Graph, options: WriteOnnxOptions = {}): void {
  const ours = writeOnnx(graph, options);
  const reference = writeOnnxWithProtobufEs(graph, options);
  assert.equal(ours.byteLength, reference.byteLength, `${graph.name}: length`);
  const first = ours.findIndex((byte, i) => byte !== reference[i]);
  assert.equal(first, -1, `${graph.name}: first differing byte at ${first}`);
}

/** Every attribute kind and dtype, with the values that encode differently: negatives, -0, NaN, ∞, empty lists. */
function everyKind(): Graph {
  const g = new GraphBuilder({ name: 'kinds', docString: 'every kind ✓' });
  const x = g.input('x', 'float16', ['n', 4]);
  const half = g.initializer('half', tensorData('float16', [4], new Uint16Array([0x3c00, 0xc000, 0x2e66, 0x7bff])));
  g.initializer('longs', int64Tensor([-(2 ** 40), 0, 7, 2 ** 53 - 1], [4, 1]));
  g.initializer('ints', int32Tensor([1, -1, 2 ** 31 - 1, -(2 ** 31)]));
  g.initializer('flags', boolTensor([true, false, true]));
  g.initializer('bytes', tensorData('int8', [2], new Int8Array([-128, 127])));
  g.initializer('ubytes', tensorData('uint8', [2, 1, 1], new Uint8Array([0, 255])));
  g.initializer('empty', float32Tensor([], [0, 3]));
  const y = ops.add(g, x, half);
  const z = g.addNode(
    'Custom',
    [y],
    {
      f: attr.float(0.1),
      negativeZero: attr.float(-0),
      nan: attr.float(NaN),
      infinity: attr.float(-Infinity),
      fs: attr.floats([1.5, -0.2, 3.4e38]),
      noFloats: attr.floats([]),
      s: attr.string('ünïcode 😀, \u0000'),
      emptyString: attr.string(''),
      t: attr.tensor(int64Tensor([1, -2, 3])),
      scalar: attr.tensor(float32Tensor([2.5], [])),
      i: attr.int(-5),
      zero: attr.int(0),
      big: attr.int(2 ** 53 - 1),
      varintEdges: attr.ints([127, 128, 16383, 16384, 2 ** 31, 2 ** 32, -1, -(2 ** 53) + 1]),
      is: attr.ints([]),
    },
    { outputTypes: [{ dtype: 'float16', shape: ['n', 4] }] },
  );
  g.output(z, 'z');
  return g.build();
}

describe("writeOnnx: protobuf-es's toBinary bytes of the same model", () => {
  it('on small graphs, with and without the model header fields and value_info', () => {
    assertSameBytes(tinyNin());
    assertSameBytes(tinyNin(), {
      producerName: 'p',
      producerVersion: '1.2.3',
      docString: 'a doc ✓',
      irVersion: 9,
      valueInfo: true,
      metadata: { 'nin.labels': '["cat","dog"]', '': '', ünï: 'cöde 😀', ['__proto__']: 'x' },
    });
    assertSameBytes(tinyNin(), { producerName: '', producerVersion: '', docString: '' });
    for (const opsetVersion of [13, 17, 18, 21]) assertSameBytes(kitchenSink(opsetVersion));
    assertSameBytes(everyKind(), { valueInfo: true });
  });

  it('on a long metadata value and a long name (multi-byte length varints)', () => {
    const g = new GraphBuilder({ name: 'n'.repeat(300) });
    g.output(ops.relu(g, g.input('é'.repeat(100), 'float32', [1, 2 ** 20, 'b'.repeat(200)]), { name: 'r' }), 'y');
    assertSameBytes(g.build(), { metadata: { long: 'x'.repeat(70_000) } });
  });

  it('on every converted fixture checkpoint, metadata and float16 included', async () => {
    const manifest = JSON.parse(readFileSync(join(CHECKPOINTS, 'manifest.json'), 'utf8')) as {
      file: string;
      family: string | null;
    }[];
    const archManifest = JSON.parse(readFileSync(join(FIXTURES, 'arch', 'manifest.json'), 'utf8')) as {
      file: string;
      architecture: string;
    }[];
    const cases = [
      ...manifest.filter((m) => m.family !== null).map((m) => ({ file: join(CHECKPOINTS, m.file), id: undefined })),
      ...archManifest.map((m) => ({ file: join(FIXTURES, 'arch', m.file), id: m.architecture })),
    ];
    assert.ok(cases.length >= 20, `${cases.length} fixtures`);
    for (const { file, id } of cases) {
      // A registry entry converts with no hint; anything else with its --arch JSON (as test/nin/architectures does).
      const json =
        id === undefined || architectureById(id) !== undefined ? undefined : join(FIXTURES, 'arch', `${id}.json`);
      const architecture = json === undefined ? undefined : parseArchitectureJson(readFileSync(json, 'utf8'), json);
      for (const float16 of [false, true]) {
        const result = await convertCheckpoint(readFileSync(file), {
          float16,
          fileName: file,
          ...(architecture === undefined ? {} : { architecture }),
        });
        const model = readOnnx(result.onnx);
        const options = {
          producerName: model.producerName,
          producerVersion: model.producerVersion,
          docString: model.docString,
          metadata: model.metadata,
        };
        assert.deepEqual(writeOnnx(model.graph, options), result.onnx, file);
        assertSameBytes(model.graph, options);
      }
    }
  });

  it('on the committed models, fp32 and int8 QDQ, which come back byte for byte', () => {
    for (const name of ['nin-cifar10.onnx', 'nin-cifar10-int8.onnx']) {
      const bytes = new Uint8Array(readFileSync(join(ROOT, 'models', name)));
      const model = readOnnx(bytes);
      assert.ok(name.includes('int8') === model.graph.nodes.some((n) => n.opType === 'QuantizeLinear'), name);
      const options = {
        irVersion: model.irVersion,
        producerName: model.producerName,
        producerVersion: model.producerVersion,
        docString: model.docString,
        metadata: model.metadata,
      };
      assert.deepEqual(writeOnnx(model.graph, options), bytes, name);
      assertSameBytes(model.graph, options);
    }
  });

  it('on the training artifacts (training, eval and optimizer graphs)', () => {
    const architecture = architectureFromWidths(NIN_CIFAR10, [16, 12, 8, 16, 16, 16, 16, 16, 10]);
    for (const optimizer of ['sgd', 'adamw'] as const) {
      const graphs = buildNinTrainingGraphs(architecture, { optimizer });
      for (const graph of [graphs.training, graphs.eval, graphs.optimizer]) assertSameBytes(graph);
    }
  });
});

describe('writeOnnx refusals and pieces', () => {
  it('refuses a finite float beyond float32, as protobuf-es does, and a fractional integer', () => {
    const floatGraph = (value: number): Graph => {
      const g = new GraphBuilder({ name: 'f' });
      const x = g.input('x', 'float32', [1]);
      g.output(
        g.addNode(
          'Custom',
          [x],
          { alpha: { type: 'float', value } },
          { outputTypes: [{ dtype: 'float32', shape: [1] }] },
        ),
        'y',
      );
      return g.build();
    };
    assert.throws(() => writeOnnx(floatGraph(1e39)), {
      message: "writeOnnx: 1e+39 is beyond float32's range (±3.4028234663852886e+38)",
    });
    assert.ok(writeOnnx(floatGraph(Infinity)).length > 0);
    // attr.float rounds to float32 (1e39 → Infinity); only an Attribute built by hand reaches the writer unrounded.
    const g = new GraphBuilder({ name: 'i' });
    const x = g.input('x', 'float32', [1]);
    g.output(
      g.addNode('Custom', [x], { k: { type: 'int', value: 1.5 } }, { outputTypes: [{ dtype: 'float32', shape: [1] }] }),
      'y',
    );
    assert.throws(() => writeOnnx(g.build()), RangeError);
  });

  it('gives each weight of 4 KiB or more as the tensor itself, the rest as a few pieces between', () => {
    const g = new GraphBuilder({ name: 'pieces' });
    const big = (name: string, n: number) =>
      g.initializer(
        name,
        float32Tensor(
          Float32Array.from({ length: n }, (_, i) => i),
          [n],
        ),
      );
    let x = g.input('x', 'float32', [5000]);
    x = ops.add(g, x, big('a', 5000));
    x = ops.add(g, x, g.initializer('small', float32Tensor([1], [1])));
    x = ops.add(g, x, big('b', 5000));
    g.output(x, 'y');
    const graph = g.build();
    const parts = writeOnnxParts(graph);
    const large = graph.initializers.filter((init) => init.tensor.data.byteLength >= 4096);
    assert.equal(large.length, 2);
    for (const { name, tensor } of large) {
      assert.ok(
        parts.some((part) => part.buffer === tensor.data.buffer && part.byteOffset === tensor.data.byteOffset),
        `${name} was copied`,
      );
    }
    assert.ok(parts.length <= 2 * large.length + 1, String(parts.length));
    assert.deepEqual(joinOnnxParts(parts), writeOnnx(graph));
  });
});
