/**
 * Models written by writeOnnx, run on onnxruntime-node, against values worked
 * out by hand, with the batch dimension symbolic (run at batch 1 and 3).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  GraphBuilder,
  convertInitializersToFloat16,
  float32Tensor,
  ops,
  writeOnnx,
  type Shape,
} from '../../src/graph/index.js';
import { pytorchAvgPool2d, pytorchMaxPool2d, pytorchPool2dPads } from '../../src/architectures/pytorch-ops/index.js';
import { assertClose, kitchenSink, runOnnx } from './helpers.js';

const BATCHES = [1, 3] as const;

/** Batch item b of a sample is the base values plus 10·b, so every item differs. */
function batchOf(base: readonly number[], batch: number): Float32Array {
  return Float32Array.from(
    { length: base.length * batch },
    (_, i) => base[i % base.length]! + 10 * Math.floor(i / base.length),
  );
}

/** The shape at a given batch size; a symbol the IR could not resolve (e.g. batch·2 after Flatten) matches any size. */
function concrete(shape: Shape, batch: number, actual: readonly number[] = []): number[] {
  return shape.map((d, i) => (d === 'batch' ? batch : typeof d === 'number' ? d : (actual[i] ?? -1)));
}

describe('onnxruntime-node runs what writeOnnx writes', () => {
  it('Conv: one channel, known 2×2 kernel, bias, asymmetric pads', async () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', ['batch', 1, 3, 3]);
    const w = g.initializer('w', float32Tensor([1, 0, 0, -1], [1, 1, 2, 2]));
    const b = g.initializer('b', float32Tensor([0.5]));
    const y = g.output(ops.conv(g, x, w, b, { pads: [0, 0, 1, 1] }), 'y');
    assert.deepEqual(y.shape, ['batch', 1, 3, 3]);
    const bytes = writeOnnx(g.build());
    for (const batch of BATCHES) {
      const { y: out } = await runOnnx(bytes, {
        x: { data: batchOf([1, 2, 3, 4, 5, 6, 7, 8, 9], batch), dims: [batch, 1, 3, 3] },
      });
      assert.deepEqual(out!.dims, [batch, 1, 3, 3]);
      // y[i][j] = x[i][j] − x[i+1][j+1] + 0.5, with x = 0 in the bottom/right padding
      const expected = Array.from({ length: batch }, (_, k) => [
        -3.5,
        -3.5,
        3.5 + 10 * k,
        -3.5,
        -3.5,
        6.5 + 10 * k,
        7.5 + 10 * k,
        8.5 + 10 * k,
        9.5 + 10 * k,
      ]).flat();
      assertClose(out!.data, expected);
    }
  });

  it('MaxPool with PyTorch ceil_mode written as an extra end pad', async () => {
    const pool = pytorchPool2dPads({ inputSize: [4, 4], kernel: 3, stride: 2, ceilMode: true });
    assert.deepEqual(pool, { outputSize: [2, 2], pads: [0, 0, 1, 1], extraEnd: [1, 1] });
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', ['batch', 1, 4, 4]);
    g.output(ops.maxPool(g, x, { kernelShape: 3, strides: 2, pads: pool.pads }), 'y');
    const bytes = writeOnnx(g.build());
    const base = Array.from({ length: 16 }, (_, i) => -(i + 1)); // all negative: a pad must never win
    for (const batch of BATCHES) {
      const { y } = await runOnnx(bytes, { x: { data: batchOf(base, batch), dims: [batch, 1, 4, 4] } });
      assert.deepEqual(y!.dims, [batch, 1, 2, 2]);
      assertClose(y!.data, Array.from({ length: batch }, (_, k) => [-1, -3, -9, -11].map((v) => v + 10 * k)).flat());
    }
  });

  it('AveragePool: count_include_pad 0 and 1, and the recipe for PyTorch ceil_mode with count_include_pad', async () => {
    // PyTorch AvgPool1d(3, stride 2, padding 1, ceil_mode) on [1..6]: 4 windows, the extra end pad is 1
    const axis = pytorchPool2dPads({
      inputSize: [1, 6],
      kernel: [1, 3],
      stride: [1, 2],
      padding: [0, 1],
      ceilMode: true,
    });
    assert.deepEqual(axis, { outputSize: [1, 4], pads: [0, 1, 0, 2], extraEnd: [0, 1] });
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', ['batch', 1, 1, 6]);
    const window = { kernelShape: [1, 3], strides: [1, 2], pads: axis.pads };
    g.output(ops.averagePool(g, x, { ...window, countIncludePad: false }), 'exclude');
    g.output(ops.averagePool(g, x, { ...window, countIncludePad: true }), 'include');
    g.output(pytorchAvgPool2d(g, x, { kernel: [1, 3], stride: [1, 2], padding: [0, 1], ceilMode: true }), 'pytorch');
    assert.deepEqual(
      g
        .build()
        .nodes.slice(-2)
        .map((n) => [n.opType, n.attributes['pads']?.value, n.attributes['count_include_pad']?.value]),
      [
        ['Pad', undefined, undefined],
        ['AveragePool', [0, 0, 0, 1], 0],
      ],
    );
    const bytes = writeOnnx(g.build());
    for (const batch of BATCHES) {
      const out = await runOnnx(bytes, { x: { data: batchOf([1, 2, 3, 4, 5, 6], batch), dims: [batch, 1, 1, 6] } });
      for (const name of ['exclude', 'include', 'pytorch']) assert.deepEqual(out[name]!.dims, [batch, 1, 1, 4]);
      for (let k = 0; k < batch; k++) {
        const o = 10 * k; // every element of item k is shifted by o
        const slice = (name: string) => Array.from(out[name]!.data.subarray(4 * k, 4 * k + 4));
        // windows: [pad,1,2] [2,3,4] [4,5,6] [6,pad,extra]
        assertClose(slice('exclude'), [(1 + 2 + 2 * o) / 2, 3 + o, 5 + o, 6 + o]);
        // ONNX counts the extra ceil cell too: the last window divides by 3
        assertClose(slice('include'), [(1 + 2 + 2 * o) / 3, 3 + o, 5 + o, (6 + o) / 3]);
        // PyTorch (count_include_pad=True, ceil_mode=True) divides the last window by 2: in + padding ends there;
        // pytorchAvgPool2d gets it by making the padding real (Pad) and not counting the extra cell
        assertClose(slice('pytorch'), [(1 + 2 + 2 * o) / 3, 3 + o, 5 + o, (6 + o) / 2]);
      }
    }
  });

  it('Softmax over channels', async () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', ['batch', 3]);
    g.output(ops.softmax(g, x, 1), 'p');
    const bytes = writeOnnx(g.build());
    const e = [Math.exp(-2), Math.exp(-1), 1];
    const sum = e[0]! + e[1]! + e[2]!;
    for (const batch of BATCHES) {
      const { p } = await runOnnx(bytes, { x: { data: batchOf([1, 2, 3], batch), dims: [batch, 3] } });
      assert.deepEqual(p!.dims, [batch, 3]);
      // softmax is shift-invariant, so every batch item gives the same probabilities
      assertClose(p!.data, Array.from({ length: batch }, () => e.map((v) => v / sum)).flat(), 1e-6);
    }
  });

  it('float16 initializers with a Cast back: computes in float32 with half-rounded weights', async () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', ['batch', 3]);
    const w = g.initializer('w', float32Tensor([0.1, -2, 3.14159]));
    const b = g.initializer('b', float32Tensor([1, 1, 1]));
    g.output(ops.add(g, ops.mul(g, x, w), b), 'y');
    const { graph } = convertInitializersToFloat16(g.build());
    const bytes = writeOnnx(graph);
    const halfW = [0.0999755859375, -2, 3.140625];
    for (const batch of BATCHES) {
      const { y } = await runOnnx(bytes, { x: { data: batchOf([1, 2, 3], batch), dims: [batch, 3] } });
      assert.equal(y!.type, 'float32');
      const expected = Array.from({ length: batch }, (_, k) =>
        [1, 2, 3].map((v, i) => (v + 10 * k) * halfW[i]! + 1),
      ).flat();
      assertClose(y!.data, expected, 1e-5);
    }
  });

  it('the ImageNet NIN pooling chain gives 54 → 27 → 27 → 13 → 13 → 6 → 6 → 1 in ONNX Runtime', async () => {
    const g = new GraphBuilder();
    const ones = (name: string, k: number) =>
      g.initializer(name, float32Tensor(new Float32Array(k * k).fill(1 / (k * k)), [1, 1, k, k]));
    let x = g.input('x', 'float32', ['batch', 1, 224, 224]);
    const stage = (v: typeof x, name: string) => g.output(v, name);
    const ceilPool = (v: typeof x, k: number, s: number) =>
      k === 3
        ? pytorchMaxPool2d(g, v, { kernel: k, stride: s, ceilMode: true })
        : pytorchAvgPool2d(g, v, { kernel: k, stride: s, ceilMode: true });
    x = stage(ops.conv(g, x, ones('w1', 11), undefined, { strides: 4 }), 'c1');
    x = stage(ceilPool(x, 3, 2), 'p1');
    x = stage(ops.conv(g, x, ones('w2', 5), undefined, { pads: 2 }), 'c2');
    x = stage(ceilPool(x, 3, 2), 'p2');
    x = stage(ops.conv(g, x, ones('w3', 3), undefined, { pads: 1 }), 'c3');
    x = stage(ceilPool(x, 3, 2), 'p3');
    x = stage(ops.conv(g, x, ones('w4', 3), undefined, { pads: 1 }), 'c4');
    stage(ceilPool(x, 6, 1), 'p4');
    const graph = g.build();
    assert.deepEqual(
      graph.outputs.map((v) => v.shape[2]),
      [54, 27, 27, 13, 13, 6, 6, 1],
    );
    const bytes = writeOnnx(graph);
    for (const batch of BATCHES) {
      const out = await runOnnx(bytes, {
        x: { data: new Float32Array(batch * 224 * 224).fill(1), dims: [batch, 1, 224, 224] },
      });
      for (const v of graph.outputs) assert.deepEqual(out[v.name]!.dims, concrete(v.shape, batch), v.name);
    }
  });

  for (const opsetVersion of [17, 18]) {
    it(`every op's inferred shape is the shape ONNX Runtime computes (opset ${opsetVersion})`, async () => {
      const graph = kitchenSink(opsetVersion);
      const bytes = writeOnnx(graph, { opsetVersion });
      for (const batch of BATCHES) {
        const data = Float32Array.from({ length: batch * 2 * 8 * 8 }, (_, i) => 0.5 + ((i * 37) % 11) / 7);
        const out = await runOnnx(bytes, { x: { data, dims: [batch, 2, 8, 8] } });
        for (const v of graph.outputs) {
          const dims = out[v.name]!.dims;
          assert.deepEqual(dims, concrete(v.shape, batch, dims), `${v.name}: ${v.shape.join(',')}`);
          assert.equal(out[v.name]!.type, v.dtype, v.name);
        }
      }
    });
  }
});
