import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import {
  float32Tensor,
  formatGraph,
  GraphBuilder,
  int8Tensor,
  ops,
  readOnnx,
  tensorData,
  uint8Tensor,
  writeOnnx,
} from '../../src/graph/index.js';

describe('QuantizeLinear and DequantizeLinear in the IR', () => {
  test('uint8 and int8 tensors round-trip through ONNX; per-tensor and per-channel forms type and run', async () => {
    const g = new GraphBuilder({ name: 'qdq' });
    const x = g.input('x', 'float32', ['n', 2, 3]);
    const scale = g.initializer('s', float32Tensor([0.5], []));
    const zero = g.initializer('z', uint8Tensor([10], []));
    const q = ops.quantizeLinear(g, x, scale, zero, { name: 'q' });
    assert.deepEqual([q.dtype, q.shape], ['uint8', ['n', 2, 3]]);
    const dq = ops.dequantizeLinear(g, q, scale, zero, { name: 'dq' });
    const w = g.initializer('w', int8Tensor([-127, 0, 1, 127, 5, -5], [2, 3]));
    const ws = g.initializer('ws', float32Tensor([0.25, 2]));
    const wz = g.initializer('wz', int8Tensor([0, 0]));
    const wdq = ops.dequantizeLinear(g, w, ws, wz, { axis: 0, name: 'wdq' });
    g.output(ops.add(g, dq, wdq), 'y');
    const graph = g.build();
    const bytes = writeOnnx(graph);
    const back = readOnnx(bytes).graph;
    assert.equal(formatGraph(back), formatGraph(graph));
    assert.deepEqual(
      back.initializers.find((i) => i.name === 'w')!.tensor,
      tensorData('int8', [2, 3], Int8Array.from([-127, 0, 1, 127, 5, -5])),
    );
    assert.match(formatGraph(graph), /%q = QuantizeLinear\(%x, %s, %z\) : uint8\[n,2,3\]/);

    const session = await ort.InferenceSession.create(bytes);
    const input = Float32Array.from([0, 1.2, -3, 130, 0.74, -0.25]);
    const { y } = await session.run({ x: new ort.Tensor('float32', input, [1, 2, 3]) });
    // q = saturate(round_half_even(x / 0.5) + 10) in 0..255; dq = (q − 10) · 0.5; w row 0 · 0.25, row 1 · 2.
    const expected = [0 + -31.75, 1 + 0, -3 + 0.25, 122.5 + 254, 0.5 + 10, -0 + -10];
    assert.deepEqual([...(y!.data as Float32Array)], expected);
    await session.release();
  });

  test('shape rules refuse what ONNX refuses, by name', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [1, 4]);
    const scales = g.initializer('s3', float32Tensor([1, 1, 1]));
    const zeros = g.initializer('z3', uint8Tensor([0, 0, 0]));
    assert.throws(
      () => ops.quantizeLinear(g, x, scales, zeros, { axis: 1 }),
      /scale has 3 values but axis 1 of float32\[1,4\] has 4/,
    );
    const int32Zero = g.initializer('z32', tensorData('int32', [], Int32Array.of(0)));
    const one = g.initializer('one', float32Tensor([1], []));
    assert.throws(() => ops.quantizeLinear(g, x, one, int32Zero), /QuantizeLinear cannot produce int32/);
    assert.throws(() => ops.dequantizeLinear(g, x, one), /input must be uint8, int8 or int32, got float32\[1,4\]/);
    const u = ops.quantizeLinear(g, x, one, g.initializer('z', uint8Tensor([0], [])));
    assert.throws(
      () => ops.dequantizeLinear(g, u, one, g.initializer('zi8', int8Tensor([0], []))),
      /zero point is int8 but input is uint8/,
    );
  });
});
