import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema } from 'onnx-buf';
import * as ort from 'onnxruntime-node';
import {
  GraphBuilder,
  ops,
  readOnnx,
  tensorData,
  writeOnnx,
  type Graph,
  type Node,
  type TensorData,
} from '../../src/graph/index.js';
import {
  MinMaxObserver,
  planQuantization,
  quantizeToQdq,
  withObservedOutputs,
  type ValueRange,
} from '../../src/quantize/index.js';
import { Random } from '../../src/numeric/random.js';
import { ROOT } from '../support/fixtures.js';

const INT8_MODEL = join(ROOT, 'models', 'nin-cifar10-int8.onnx');
const FP32_MODEL = join(ROOT, 'models', 'nin-cifar10.onnx');

/** conv 3→8 k3 p1, ReLU, MaxPool 3/2/1, conv 8→6 1×1, ReLU, AveragePool 3/2/1, conv 6→4 1×1, ReLU, global AveragePool: NIN in small. */
function smallNin(): Graph {
  const random = Random.fromSeed(7);
  const weights = (dims: number[], spread: number) => {
    const n = dims.reduce((a, b) => a * b, 1);
    return tensorData(
      'float32',
      dims,
      Float32Array.from({ length: n }, () => (random.nextFloat() * 2 - 1) * spread),
    );
  };
  const g = new GraphBuilder({ name: 'small_nin' });
  const x = g.input('input', 'float32', ['batch', 3, 8, 8]);
  let h = ops.conv(
    g,
    x,
    g.initializer('c0.weight', weights([8, 3, 3, 3], 0.5)),
    g.initializer('c0.bias', weights([8], 0.2)),
    { pads: 1, name: 'c0' },
  );
  h = ops.relu(g, h, { name: 'r0' });
  h = ops.maxPool(g, h, { kernelShape: 3, strides: 2, pads: 1, name: 'mp' });
  h = ops.relu(
    g,
    ops.conv(
      g,
      h,
      g.initializer('c1.weight', weights([6, 8, 1, 1], 0.5)),
      g.initializer('c1.bias', weights([6], 0.2)),
      { name: 'c1' },
    ),
    { name: 'r1' },
  );
  h = ops.averagePool(g, h, { kernelShape: 3, strides: 2, pads: 1, countIncludePad: true, name: 'ap' });
  h = ops.relu(
    g,
    ops.conv(
      g,
      h,
      g.initializer('c2.weight', weights([4, 6, 1, 1], 0.5)),
      g.initializer('c2.bias', weights([4], 0.2)),
      { name: 'c2' },
    ),
    { name: 'r2' },
  );
  h = ops.averagePool(g, h, { kernelShape: 2, strides: 1, countIncludePad: true, name: 'gap' });
  g.output(ops.flatten(g, h, 1), 'logits');
  return g.build();
}

function randomInput(batch: number, seed: number): Float32Array {
  const random = Random.fromSeed(seed);
  return Float32Array.from({ length: batch * 3 * 64 }, () => random.nextFloat() * 4 - 2);
}

async function run(model: Uint8Array, input: Float32Array, batch: number): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
  try {
    const out = await session.run({ input: new ort.Tensor('float32', input, [batch, 3, 8, 8]) });
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
  } finally {
    await session.release();
  }
}

async function calibrate(graph: Graph, batch: number): Promise<ReadonlyMap<string, ValueRange>> {
  const plan = planQuantization(graph);
  const input = randomInput(batch, 1);
  const outputs = await run(writeOnnx(withObservedOutputs(graph, plan.calibrated)), input, batch);
  const observer = new MinMaxObserver(plan.calibrated);
  for (const name of plan.calibrated) observer.observe(name, name === 'input' ? input : outputs[name]!);
  return observer.result();
}

const producerOf = (graph: Graph, value: string): Node | undefined =>
  graph.nodes.find((n) => n.outputs.some((v) => v.name === value));
const consumersOf = (graph: Graph, value: string): Node[] => graph.nodes.filter((n) => n.inputs.includes(value));
const initializer = (graph: Graph, name: string): TensorData => {
  const found = graph.initializers.find((i) => i.name === name);
  assert.ok(found, `initializer ${name}`);
  return found.tensor;
};

describe('planQuantization', () => {
  test('quantizes Conv inputs, ReLU outputs, MaxPool with shared parameters and a non-global AveragePool; not the global pool', () => {
    const plan = planQuantization(smallNin());
    assert.deepEqual(plan.convs, ['c0', 'c1', 'c2']);
    assert.deepEqual(
      [...plan.activations],
      [
        ['input', { kind: 'calibrated' }],
        ['r0', { kind: 'calibrated' }],
        ['mp', { kind: 'shared', with: 'r0' }],
        ['r1', { kind: 'calibrated' }],
        ['ap', { kind: 'calibrated' }],
        ['r2', { kind: 'calibrated' }],
      ],
    );
    assert.deepEqual(plan.calibrated, ['input', 'r0', 'r1', 'ap', 'r2']);
    assert.deepEqual(plan.windowAverages, ['ap']);
  });

  test('an AveragePool whose border windows divide by fewer values (padding not counted) stays a pool', () => {
    const g = new GraphBuilder();
    const x = g.input('input', 'float32', ['batch', 2, 8, 8]);
    const w = g.initializer('c.weight', tensorData('float32', [2, 2, 1, 1], Float32Array.of(1, 0, 0, 1)));
    const h = ops.relu(g, ops.conv(g, x, w, undefined, { name: 'c' }), { name: 'r' });
    g.output(ops.averagePool(g, h, { kernelShape: 3, strides: 2, pads: 1, countIncludePad: false, name: 'ap' }), 'y');
    const plan = planQuantization(g.build());
    assert.deepEqual(plan.calibrated, ['input', 'r', 'y']);
    assert.deepEqual(plan.windowAverages, []);
  });
});

describe('quantizeToQdq on a small NIN', () => {
  test('writes standard-op QDQ that ONNX Runtime runs close to float32 and fuses into QLinearConv', async () => {
    const graph = smallNin();
    const ranges = await calibrate(graph, 16);
    const { graph: quantized, changed } = quantizeToQdq(graph, ranges);
    assert.equal(changed, true);
    const bytes = writeOnnx(quantized);
    // Reads back through the IR's shape rules with the same types.
    assert.deepEqual(
      readOnnx(bytes).graph.nodes.map((n) => n.outputs),
      quantized.nodes.map((n) => n.outputs),
    );

    const input = randomInput(4, 99);
    const reference = (await run(writeOnnx(graph), input, 4))['logits']!;
    const ours = (await run(bytes, input, 4))['logits']!;
    const spread = Math.max(...reference) - Math.min(...reference);
    const worst = Math.max(...reference.map((r, i) => Math.abs(r - ours[i]!)));
    assert.ok(worst < 0.05 * spread, `int8 logits differ by ${worst} (logit spread ${spread})`);

    const dir = mkdtempSync(join(tmpdir(), 'nin-qdq-'));
    try {
      const optimized = join(dir, 'optimized.onnx');
      await ort.InferenceSession.create(bytes, {
        intraOpNumThreads: 1,
        optimizedModelFilePath: optimized,
        logSeverityLevel: 3,
      });
      const opTypes = fromBinary(ModelProtoSchema, readFileSync(optimized)).graph!.node.map((n) => n.opType);
      // The three Convs and the 3×3 AveragePool, written as a depthwise Conv.
      assert.equal(opTypes.filter((t) => t === 'QLinearConv').length, 4, opTypes.join(' '));
      assert.ok(!opTypes.includes('QLinearAveragePool'), opTypes.join(' '));
      assert.equal(
        opTypes.filter((t) => t === 'Relu').length,
        0,
        'ONNX Runtime absorbs every Relu before a zero-point-0 Q',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a graph without Convs is left unchanged', () => {
    const g = new GraphBuilder();
    g.output(ops.relu(g, g.input('x', 'float32', [1, 3])), 'y');
    const graph = g.build();
    assert.deepEqual(quantizeToQdq(graph, new Map()), { graph, changed: false });
  });

  test('a missing range is an error naming the tensor', () => {
    const graph = smallNin();
    assert.throws(() => quantizeToQdq(graph, new Map()), { message: 'quantize: no calibrated range for input' });
  });
});

describe('the shipped int8 model (models/nin-cifar10-int8.onnx)', () => {
  const model = readOnnx(readFileSync(INT8_MODEL));
  const { graph } = model;

  test('says it is int8 and how it was calibrated', () => {
    const fp32 = readOnnx(readFileSync(FP32_MODEL));
    assert.equal(model.metadata['nin.dtype'], 'int8');
    assert.deepEqual(JSON.parse(model.metadata['nin.calibration']!), {
      method: 'minmax',
      dataset: 'train.tar',
      images: 1000,
      seed: 0,
      activations: 'uint8 per-tensor asymmetric',
      weights: 'int8 per-channel symmetric',
      format: 'QDQ',
    });
    // Every nin.* entry of the float32 model is kept; the outputs' maps name the dequantized maps.
    for (const [key, value] of Object.entries(fp32.metadata))
      if (key !== 'nin.outputs') assert.equal(model.metadata[key], value, key);
    assert.deepEqual(JSON.parse(model.metadata['nin.outputs']!), {
      ...(JSON.parse(fp32.metadata['nin.outputs']!) as object),
      maps: 'class_maps_dequantized',
    });
    assert.equal(fp32.metadata['nin.dtype'], undefined);
  });

  test('the middle AveragePool (3×3, stride 2, padding counted) is a depthwise Conv of 1/9 weights', () => {
    const pools = graph.nodes.filter((n) => n.opType === 'AveragePool');
    assert.deepEqual(
      pools.map((n) => n.outputs[0]!.shape.slice(2)),
      [[1, 1]],
      'only the global pool is left',
    );
    const window = graph.nodes.find((n) => n.name === 'classifier.14.pool')!;
    assert.equal(window.opType, 'Conv');
    assert.equal(window.inputs.length, 2);
    assert.deepEqual(window.attributes['group'], { type: 'int', value: 192 });
    assert.deepEqual(window.attributes['kernel_shape'], { type: 'ints', value: [3, 3] });
    assert.deepEqual(window.attributes['strides'], { type: 'ints', value: [2, 2] });
    assert.deepEqual(window.attributes['pads'], { type: 'ints', value: [1, 1, 1, 1] });
    const wdq = producerOf(graph, window.inputs[1]!)!;
    const weight = initializer(graph, wdq.inputs[0]!);
    assert.deepEqual(weight.dims, [192, 1, 3, 3]);
    assert.ok([...weight.data].every((q) => q === 127));
    assert.ok([...initializer(graph, wdq.inputs[1]!).data].every((s) => s === Math.fround(1 / (9 * 127))));
    assert.equal(producerOf(graph, window.inputs[0]!)!.opType, 'DequantizeLinear');
    assert.deepEqual(
      consumersOf(graph, window.outputs[0]!.name).map((n) => n.opType),
      ['QuantizeLinear'],
    );
  });

  test('every Conv reads int8 weights per output channel (axis 0, zero points 0) and int32 biases at input × weight scale', () => {
    const convs = graph.nodes.filter((n) => n.opType === 'Conv' && n.inputs.length === 3);
    assert.equal(convs.length, 9);
    for (const conv of convs) {
      const [x, w, b] = conv.inputs as [string, string, string];
      const wdq = producerOf(graph, w)!;
      assert.equal(wdq.opType, 'DequantizeLinear');
      assert.deepEqual(wdq.attributes['axis'], { type: 'int', value: 0 });
      const weight = initializer(graph, wdq.inputs[0]!);
      const wScale = initializer(graph, wdq.inputs[1]!);
      const wZero = initializer(graph, wdq.inputs[2]!);
      assert.equal(weight.dtype, 'int8');
      const channels = weight.dims[0]!;
      assert.deepEqual(wScale.dims, [channels]);
      assert.equal(wZero.dtype, 'int8');
      assert.ok([...wZero.data].every((z) => z === 0));
      assert.ok([...(weight.data as Int8Array)].every((q) => q >= -127 && q <= 127));
      // Each channel uses its full range: max |q| = 127.
      const perChannel = weight.data.length / channels;
      for (let c = 0; c < channels; c++) {
        const slice: number[] = [...(weight.data as Int8Array).subarray(c * perChannel, (c + 1) * perChannel)];
        assert.equal(Math.max(...slice.map(Math.abs)), 127, `${w} channel ${c}`);
      }

      const xdq = producerOf(graph, x)!;
      assert.equal(xdq.opType, 'DequantizeLinear', `${conv.name} input`);
      const xScale = initializer(graph, xdq.inputs[1]!).data[0] as number;
      const bdq = producerOf(graph, b)!;
      const bias = initializer(graph, bdq.inputs[0]!);
      const bScale = initializer(graph, bdq.inputs[1]!).data as Float32Array;
      assert.equal(bias.dtype, 'int32');
      assert.deepEqual([...initializer(graph, bdq.inputs[2]!).data], new Array<number>(channels).fill(0));
      bScale.forEach((s, c) => assert.equal(s, Math.fround(xScale * (wScale.data[c] as number))));
    }
  });

  test('activations are uint8 only; every ReLU is followed by a Q with zero point 0', () => {
    const quantizers = graph.nodes.filter((n) => n.opType === 'QuantizeLinear');
    assert.equal(quantizers.length, 12);
    for (const q of quantizers) assert.equal(q.outputs[0]!.dtype, 'uint8');
    for (const relu of graph.nodes.filter((n) => n.opType === 'Relu')) {
      const [q, ...others] = consumersOf(graph, relu.outputs[0]!.name);
      assert.equal(others.length, 0);
      assert.equal(q!.opType, 'QuantizeLinear');
      assert.deepEqual([...initializer(graph, q!.inputs[2]!).data], [0]);
    }
    // The input (normalised pixels, negative too) is the one asymmetric activation with a non-zero zero point.
    const inputQ = consumersOf(graph, 'input')[0]!;
    assert.notEqual(initializer(graph, inputQ.inputs[2]!).data[0], 0);
  });

  test('MaxPool has the same parameters on both sides; the final global pool reads float32 and is not quantized', () => {
    const pool = graph.nodes.find((n) => n.opType === 'MaxPool')!;
    const before = producerOf(graph, pool.inputs[0]!)!;
    const after = consumersOf(graph, pool.outputs[0]!.name);
    assert.equal(before.opType, 'DequantizeLinear');
    assert.equal(after.length, 1);
    assert.equal(after[0]!.opType, 'QuantizeLinear');
    assert.deepEqual(after[0]!.inputs.slice(1), before.inputs.slice(1));

    const last = graph.nodes.filter((n) => n.opType === 'AveragePool').at(-1)!;
    assert.deepEqual(last.outputs[0]!.shape.slice(2), [1, 1]);
    assert.equal(producerOf(graph, last.inputs[0]!)!.opType, 'DequantizeLinear');
    assert.deepEqual(
      consumersOf(graph, last.outputs[0]!.name).map((n) => n.opType),
      ['Flatten'],
    );
  });

  test('ONNX Runtime fuses all nine Conv+Relu and the window average into QLinearConv', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nin-qdq-'));
    try {
      const optimized = join(dir, 'optimized.onnx');
      await ort.InferenceSession.create(readFileSync(INT8_MODEL), {
        intraOpNumThreads: 1,
        optimizedModelFilePath: optimized,
        logSeverityLevel: 3,
      });
      const opTypes = fromBinary(ModelProtoSchema, readFileSync(optimized)).graph!.node.map((n) => n.opType);
      assert.equal(opTypes.filter((t) => t === 'QLinearConv').length, 10, opTypes.join(' '));
      assert.ok(!opTypes.includes('Conv') && !opTypes.includes('Relu'), opTypes.join(' '));
      assert.ok(!opTypes.includes('QLinearAveragePool'), opTypes.join(' '));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
