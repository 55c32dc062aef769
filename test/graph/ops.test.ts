import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GraphBuilder, float32Tensor, int64Tensor, ops, type Shape, type Value } from '../../src/graph/index.js';
import { pytorchAvgPool2d, pytorchMaxPool2d } from '../../src/architectures/pytorch-ops/index.js';

function weights(g: GraphBuilder, name: string, dims: readonly number[]): Value {
  return g.initializer(name, float32Tensor(new Float32Array(dims.reduce((a, b) => a * b, 1)), dims));
}

function shapeOf(v: Value): Shape {
  return v.shape;
}

describe('conv', () => {
  it('infers NCHW with symbolic batch, pads [t,l,b,r], strides and dilations', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', ['batch', 3, 32, 32]);
    const y = ops.conv(g, x, weights(g, 'w', [192, 3, 5, 5]), weights(g, 'b', [192]), { pads: 2 });
    assert.deepEqual(y.shape, ['batch', 192, 32, 32]);
    assert.equal(y.dtype, 'float32');
    const z = ops.conv(g, x, weights(g, 'w2', [8, 3, 3, 3]), undefined, {
      strides: [2, 1],
      pads: [0, 1, 1, 0],
      dilations: 2,
    });
    // H: floor((32 + 0 + 1 − 5) / 2) + 1 = 15; W: floor((32 + 1 + 0 − 5) / 1) + 1 = 29
    assert.deepEqual(z.shape, ['batch', 8, 15, 29]);
  });

  it('gives the ImageNet NIN first-layer size: 224 → k11 s4 → 54', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [1, 3, 224, 224]);
    assert.deepEqual(
      ops.conv(g, x, weights(g, 'w', [96, 3, 11, 11]), undefined, { strides: 4 }).shape,
      [1, 96, 54, 54],
    );
  });

  it('handles groups', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [1, 8, 4, 4]);
    assert.deepEqual(
      ops.conv(g, x, weights(g, 'w', [8, 1, 3, 3]), undefined, { group: 8, pads: 1 }).shape,
      [1, 8, 4, 4],
    );
    assert.throws(() => ops.conv(g, x, weights(g, 'w2', [8, 2, 3, 3]), undefined, { group: 8 }), {
      message: 'conv: input has 8 channels but weight expects 16 (2 per group × group 8)',
    });
  });

  it('keeps symbolic spatial dims through 1×1 convs and names fresh ones otherwise', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', ['n', 4, 'h', 'w']);
    assert.deepEqual(ops.conv(g, x, weights(g, 'w1', [2, 4, 1, 1]), undefined, { name: 'pointwise' }).shape, [
      'n',
      2,
      'h',
      'w',
    ]);
    assert.deepEqual(ops.conv(g, x, weights(g, 'w3', [2, 4, 3, 3]), undefined, { name: 'c3' }).shape, [
      'n',
      2,
      'c3_d2',
      'c3_d3',
    ]);
  });

  it('rejects mismatches with precise messages', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', ['batch', 3, 32, 32]);
    assert.throws(() => ops.conv(g, x, weights(g, 'w', [192, 16, 5, 5])), {
      name: 'ShapeInferenceError',
      message: 'conv: input has 3 channels but weight expects 16',
    });
    assert.throws(() => ops.conv(g, x, weights(g, 'w2', [4, 3, 5, 5]), weights(g, 'b2', [5])), {
      message: 'conv: bias must be [4], got float32[5]',
    });
    assert.throws(() => ops.conv(g, x, weights(g, 'w3', [4, 3, 5])), {
      message: 'conv: weight must have rank 4 like the input, got float32[4,3,5]',
    });
    assert.throws(() => ops.conv(g, x, weights(g, 'w4', [4, 3, 40, 40])), {
      message: 'conv: spatial axis 2 has size 32, padded to 32, smaller than the kernel extent 40',
    });
    assert.throws(() => ops.conv(g, x, weights(g, 'w5', [4, 3, 3, 3]), undefined, { pads: [1, 1] }), {
      message: 'conv: pads must have 4 values, got [1,1]',
    });
    assert.throws(() => ops.conv(g, x, weights(g, 'w6', [4, 3, 3, 3]), undefined, { strides: 0 }), {
      message: 'conv: strides must be positive integers, got [0,0]',
    });
    const h = g.input('h', 'float16', [1, 3, 8, 8]);
    assert.throws(() => ops.conv(g, h, weights(g, 'w7', [4, 3, 3, 3])), {
      message: 'conv: weight is float32 but input is float16',
    });
    const i = g.input('i', 'int64', [1, 3, 8, 8]);
    assert.throws(() => ops.conv(g, i, weights(g, 'w8', [4, 3, 3, 3])), {
      message: 'conv: input must be a float tensor, got int64[1,3,8,8]',
    });
  });
});

describe('convTranspose', () => {
  it('inverts a strided conv with explicit pads and output padding', () => {
    const g = new GraphBuilder();
    const dy = g.input('dy', 'float32', ['batch', 8, 16, 16]);
    // the gradient of conv k5 s2 p2 on 32: 2·15 + 1 + 5 − 4 = 32
    const y = ops.convTranspose(g, dy, weights(g, 'w', [8, 3, 5, 5]), undefined, {
      strides: 2,
      pads: 2,
      outputPadding: 1,
    });
    assert.deepEqual(y.shape, ['batch', 3, 32, 32]);
    const grouped = ops.convTranspose(g, dy, weights(g, 'w2', [8, 1, 3, 3]), weights(g, 'b2', [8]), {
      group: 8,
      strides: 2,
      pads: [0, 0, 1, 1],
    });
    assert.deepEqual(grouped.shape, ['batch', 8, 32, 32]);
  });

  it('rejects wrong channels and too much output padding', () => {
    const g = new GraphBuilder();
    const dy = g.input('dy', 'float32', [1, 8, 4, 4]);
    assert.throws(() => ops.convTranspose(g, dy, weights(g, 'w', [6, 3, 3, 3])), {
      message: 'convTranspose: input has 8 channels but weight expects 6',
    });
    assert.throws(
      () => ops.convTranspose(g, dy, weights(g, 'w2', [8, 3, 3, 3]), undefined, { strides: 2, outputPadding: 2 }),
      {
        message: 'convTranspose: output_padding 2 on spatial axis 2 must be smaller than the stride or dilation (2)',
      },
    );
  });
});

describe('pooling', () => {
  it('maxPool and averagePool with explicit asymmetric pads', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', ['batch', 96, 54, 54]);
    // ceil_mode written as an extra end pad: 54 → 27 (floor mode without it gives 26)
    assert.deepEqual(ops.maxPool(g, x, { kernelShape: 3, strides: 2, pads: [0, 0, 1, 1] }).shape, [
      'batch',
      96,
      27,
      27,
    ]);
    assert.deepEqual(ops.maxPool(g, x, { kernelShape: 3, strides: 2 }).shape, ['batch', 96, 26, 26]);
    const c = g.input('c', 'float32', ['batch', 192, 16, 16]);
    assert.deepEqual(ops.averagePool(g, c, { kernelShape: 3, strides: 2, pads: 1, countIncludePad: true }).shape, [
      'batch',
      192,
      8,
      8,
    ]);
    assert.deepEqual(ops.globalAveragePool(g, c).shape, ['batch', 192, 1, 1]);
  });

  it('rejects pads as large as the kernel, which ONNX Runtime refuses', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [1, 1, 8, 8]);
    assert.throws(() => ops.maxPool(g, x, { kernelShape: 2, strides: 2, pads: [0, 0, 2, 0] }), {
      message: 'maxPool: pad 2 on spatial axis 2 must be smaller than the kernel 2',
    });
    assert.throws(() => ops.averagePool(g, x, { kernelShape: [3, 3, 3], strides: 1, countIncludePad: false }), {
      message: 'averagePool: kernel_shape must have 2 values, got [3,3,3]',
    });
    const v = g.input('v', 'float32', [1, 8]);
    assert.throws(() => ops.globalAveragePool(g, v), {
      message: 'globalAveragePool: input must have rank ≥ 3 (N, C, spatial…), got float32[1,8]',
    });
  });
});

describe('elementwise', () => {
  it('broadcasts numpy-style, passing symbols through', () => {
    const g = new GraphBuilder();
    const a = g.input('a', 'float32', ['batch', 10, 1, 1]);
    const b = g.input('b', 'float32', [10, 5, 1]);
    assert.deepEqual(ops.add(g, a, b).shape, ['batch', 10, 5, 1]);
    const s = g.input('s', 'float32', []);
    assert.deepEqual(ops.mul(g, a, s).shape, ['batch', 10, 1, 1]);
    const n = g.input('n', 'float32', ['n', 3]);
    const m = g.input('m', 'float32', ['m', 3]);
    assert.deepEqual(ops.sub(g, n, m, { name: 'diff' }).shape, ['diff_d0', 3]);
    const k = g.input('k', 'float32', [4, 3]);
    assert.deepEqual(ops.div(g, n, k).shape, [4, 3]);
    assert.deepEqual(shapeOf(ops.relu(g, a)), ['batch', 10, 1, 1]);
    for (const f of [ops.exp, ops.log, ops.sqrt, ops.neg, ops.identity]) assert.deepEqual(f(g, k).shape, [4, 3]);
  });

  it('rejects incompatible shapes and dtypes', () => {
    const g = new GraphBuilder();
    const a = g.input('a', 'float32', [2, 3]);
    const b = g.input('b', 'float32', [4]);
    const i = g.input('i', 'int64', [2, 3]);
    assert.throws(() => ops.add(g, a, b), {
      message: 'add: cannot broadcast float32[2,3] with float32[4]: axis 1 is 3 vs 4',
    });
    assert.throws(() => ops.mul(g, a, i), { message: 'mul: dtype mismatch: float32[2,3] and int64[2,3]' });
    assert.throws(() => ops.relu(g, i), { message: 'relu: input must be a float tensor, got int64[2,3]' });
  });

  it('comparisons give bool; where takes a bool condition', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', ['batch', 10]);
    const zero = g.constant(float32Tensor([0], []));
    const positive = ops.greater(g, x, zero);
    assert.equal(positive.dtype, 'bool');
    assert.deepEqual(positive.shape, ['batch', 10]);
    assert.equal(ops.equal(g, x, x).dtype, 'bool');
    const y = ops.where(g, positive, x, zero);
    assert.deepEqual([y.dtype, y.shape], ['float32', ['batch', 10]]);
    assert.throws(() => ops.where(g, x, x, zero), { message: 'where: condition must be bool, got float32[batch,10]' });
    assert.throws(() => ops.greater(g, positive, positive), { message: 'greater: inputs must be numeric, got bool' });
  });
});

describe('softmax, flatten, reshape, transpose', () => {
  it('softmax keeps the shape and checks the axis', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', ['batch', 1000, 1, 1]);
    assert.deepEqual(ops.softmax(g, x, 1).shape, ['batch', 1000, 1, 1]);
    assert.throws(() => ops.softmax(g, x, 4), { message: 'softmax: axis 4 is out of range for rank 4' });
  });

  it('flatten multiplies static dims and keeps a lone symbol', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', ['batch', 10, 1, 1]);
    assert.deepEqual(ops.flatten(g, x).shape, ['batch', 10]);
    const f = ops.flatten(g, x, 0, { name: 'flat' });
    assert.deepEqual(f.shape, [1, 'flat_d1']);
    assert.deepEqual(ops.flatten(g, x, -2).shape, ['flatten_1_d0', 1]);
  });

  it('reshape resolves 0 and -1, cancelling symbols', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', ['batch', 10, 1, 1]);
    assert.deepEqual(ops.reshape(g, x, [0, -1]).shape, ['batch', 10]);
    assert.deepEqual(ops.reshape(g, x, [-1, 10]).shape, ['batch', 10]);
    assert.deepEqual(ops.reshape(g, x, [0, 5, 2]).shape, ['batch', 5, 2]);
    const s = g.input('s', 'float32', [2, 3, 4]);
    assert.deepEqual(ops.reshape(g, s, [4, -1]).shape, [4, 6]);
    assert.throws(() => ops.reshape(g, s, [5, -1]), {
      message: 'reshape: cannot reshape [2,3,4] into [5,-1]: sizes do not divide',
    });
    assert.throws(() => ops.reshape(g, s, [5, 5]), {
      message: 'reshape: cannot reshape [2,3,4] into [5,5]: element counts differ',
    });
    assert.throws(() => ops.reshape(g, s, [-1, -1]), { message: 'reshape: shape [-1,-1] has more than one -1' });
    assert.throws(() => ops.reshape(g, s, [0, 0, 0, 0]), {
      message: 'reshape: shape [0,0,0,0] copies axis 3 with 0, but the input has rank 3',
    });
    const shape = g.input('shape', 'int64', [3]);
    assert.deepEqual(ops.reshape(g, s, shape, { name: 'dyn' }).shape, ['dyn_d0', 'dyn_d1', 'dyn_d2']);
  });

  it('transpose permutes and validates perm', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', ['batch', 3, 5, 7]);
    assert.deepEqual(ops.transpose(g, x, [1, 0, 2, 3]).shape, [3, 'batch', 5, 7]);
    assert.deepEqual(ops.transpose(g, x).shape, [7, 5, 3, 'batch']);
    assert.throws(() => ops.transpose(g, x, [0, 1, 1, 2]), {
      message: 'transpose: perm [0,1,1,2] is not a permutation of the 4 axes of the input',
    });
  });
});

describe('matMul', () => {
  it('follows numpy rules for 1-D, 2-D and batched operands', () => {
    const g = new GraphBuilder();
    const a = g.input('a', 'float32', ['batch', 4, 3]);
    const b = g.input('b', 'float32', [3, 5]);
    const v = g.input('v', 'float32', [3]);
    assert.deepEqual(ops.matMul(g, a, b).shape, ['batch', 4, 5]);
    assert.deepEqual(ops.matMul(g, a, v).shape, ['batch', 4]);
    assert.deepEqual(ops.matMul(g, v, b).shape, [5]);
    assert.deepEqual(ops.matMul(g, v, v).shape, []);
    assert.throws(() => ops.matMul(g, b, b), {
      message: 'matMul: inner dimensions differ: float32[3,5] has 5 columns, float32[3,5] has 3 rows',
    });
  });
});

describe('reductions', () => {
  it('reduce axes with and without keepdims', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', ['batch', 10, 6, 6]);
    assert.deepEqual(ops.reduceSum(g, x, [0, 2, 3]).shape, [1, 10, 1, 1]);
    assert.deepEqual(ops.reduceMean(g, x, [-2, -1], { keepdims: false }).shape, ['batch', 10]);
    assert.deepEqual(ops.reduceMax(g, x, [1]).shape, ['batch', 1, 6, 6]);
    assert.deepEqual(ops.reduceLogSumExp(g, x, [1], { keepdims: false }).shape, ['batch', 6, 6]);
    assert.deepEqual(ops.reduceSum(g, x, undefined, { keepdims: false }).shape, []);
    assert.throws(() => ops.reduceSum(g, x, [4]), { message: 'reduceSum: axis 4 is out of range for rank 4' });
    assert.throws(() => ops.reduceMean(g, x, [1, -3]), { message: 'reduceMean: axis -3 is repeated in [1,-3]' });
  });

  it('opset 17: ReduceSum takes axes as an input, the others as an attribute; opset 18: all inputs', () => {
    for (const [opset, meanForm] of [
      [17, 'attribute'],
      [18, 'input'],
    ] as const) {
      const g = new GraphBuilder({ opsetVersion: opset });
      const x = g.input('x', 'float32', [2, 3]);
      ops.reduceSum(g, x, [1], { name: 'sum' });
      ops.reduceMean(g, x, [1], { name: 'mean' });
      ops.reduceMax(g, x, [1], { name: 'max' });
      ops.reduceLogSumExp(g, x, [1], { name: 'lse' });
      const nodes = g.build().nodes.filter((n) => n.opType.startsWith('Reduce'));
      const forms = nodes.map((n) => [
        n.opType,
        n.inputs.length === 2 ? 'input' : 'axes' in n.attributes ? 'attribute' : 'none',
      ]);
      assert.deepEqual(forms, [
        ['ReduceSum', 'input'],
        ['ReduceMean', meanForm],
        ['ReduceMax', meanForm],
        ['ReduceLogSumExp', meanForm],
      ]);
    }
  });
});

describe('slice, concat, expand, cast, pad', () => {
  it('slice follows ONNX clamping, negative steps and symbolic pass-through', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', ['batch', 10, 8, 8]);
    const big = Number.MAX_SAFE_INTEGER;
    assert.deepEqual(ops.slice(g, x, { starts: [1, 0], ends: [4, big], axes: [2, 0] }).shape, ['batch', 10, 3, 8]);
    assert.deepEqual(ops.slice(g, x, { starts: [0], ends: [big], axes: [3], steps: [3] }).shape, ['batch', 10, 8, 3]);
    assert.deepEqual(ops.slice(g, x, { starts: [-1], ends: [-big], axes: [1], steps: [-1] }).shape, [
      'batch',
      10,
      8,
      8,
    ]);
    assert.deepEqual(ops.slice(g, x, { starts: [-3], ends: [100], axes: [-1] }).shape, ['batch', 10, 8, 3]);
    assert.deepEqual(ops.slice(g, x, { starts: [1], ends: [2], axes: [0], name: 'first' }).shape, [
      'first_d0',
      10,
      8,
      8,
    ]);
    assert.throws(() => ops.slice(g, x, { starts: [0], ends: [1], axes: [1], steps: [0] }), {
      message: 'slice: step on axis 1 must not be 0',
    });
  });

  it('concat sums the axis and checks the others', () => {
    const g = new GraphBuilder();
    const a = g.input('a', 'float32', ['batch', 3, 4]);
    const b = g.input('b', 'float32', ['batch', 5, 4]);
    assert.deepEqual(ops.concat(g, [a, b], 1).shape, ['batch', 8, 4]);
    assert.deepEqual(ops.concat(g, [a, a], 0, { name: 'twice' }).shape, ['twice_d0', 3, 4]);
    assert.throws(() => ops.concat(g, [a, b], 2), { message: 'concat: input 1 has 5 on axis 1 where input 0 has 3' });
  });

  it('expand broadcasts both ways', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', ['batch', 10, 1, 1]);
    assert.deepEqual(ops.expand(g, x, [1, 1, 6, 6]).shape, ['batch', 10, 6, 6]);
    assert.throws(() => ops.expand(g, x, [3, 1, 1]), {
      message: 'expand: cannot broadcast float32[batch,10,1,1] with float32[3,1,1]: axis 1 is 10 vs 3',
    });
  });

  it('cast changes the dtype only', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', ['batch', 3]);
    const y = ops.cast(g, x, 'float16');
    assert.deepEqual([y.dtype, y.shape], ['float16', ['batch', 3]]);
    assert.deepEqual(g.build().nodes[0]!.attributes, { to: { type: 'int', value: 10 } });
  });

  it('pad adds begins and ends; negative pads crop', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', ['batch', 3, 32, 32]);
    assert.deepEqual(ops.pad(g, x, [0, 0, 1, 2, 0, 0, 3, 4]).shape, ['batch', 3, 36, 38]);
    assert.deepEqual(ops.pad(g, x, [0, 0, -1, -1, 0, 0, 0, 0], { value: 1 }).shape, ['batch', 3, 31, 31]);
    assert.throws(() => ops.pad(g, x, [1, 1]), { message: 'pad: pads must have 8 values for rank 4, got [1,1]' });
  });
});

describe('constants', () => {
  it('Constant nodes are typed from their tensor and feed shape rules', () => {
    const g = new GraphBuilder();
    const shape = g.constant(int64Tensor([2, -1]), 'target_shape');
    assert.deepEqual([shape.name, shape.dtype, shape.shape], ['target_shape', 'int64', [2]]);
    assert.deepEqual(g.constantValue(shape)?.data, new BigInt64Array([2n, -1n]));
    const x = g.input('x', 'float32', [4, 3]);
    assert.deepEqual(ops.reshape(g, x, shape).shape, [2, 6]);
  });
});

describe('pytorchMaxPool2d / pytorchAvgPool2d', () => {
  it('take PyTorch parameters (stride defaults to the kernel) and write explicit pads', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', ['batch', 96, 54, 54]);
    const y = pytorchMaxPool2d(g, x, { kernel: 3, stride: 2, ceilMode: true });
    const z = pytorchAvgPool2d(g, g.input('c', 'float32', ['batch', 1024, 6, 6]), {
      kernel: 6,
      stride: 1,
      ceilMode: true,
    });
    const w = pytorchAvgPool2d(g, g.input('d', 'float32', ['batch', 10, 8, 8]), { kernel: 8 });
    assert.deepEqual(
      [y.shape, z.shape, w.shape],
      [
        ['batch', 96, 27, 27],
        ['batch', 1024, 1, 1],
        ['batch', 10, 1, 1],
      ],
    );
    const attributes = g
      .build()
      .nodes.map((n) => [
        n.opType,
        n.attributes['strides']?.value,
        n.attributes['pads']?.value,
        n.attributes['count_include_pad']?.value,
      ]);
    assert.deepEqual(attributes, [
      ['MaxPool', [2, 2], [0, 0, 1, 1], undefined],
      ['AveragePool', [1, 1], [0, 0, 0, 0], 1],
      ['AveragePool', [8, 8], [0, 0, 0, 0], 1],
    ]);
  });

  it('excludes an extra ceil pad from the divisor when PyTorch has no padding of its own', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [1, 1, 5, 5]);
    const y = pytorchAvgPool2d(g, x, { kernel: 2, ceilMode: true });
    assert.deepEqual(y.shape, [1, 1, 3, 3]);
    const node = g.build().nodes[0]!;
    assert.deepEqual([node.attributes['pads']?.value, node.attributes['count_include_pad']?.value], [[0, 0, 1, 1], 0]);
  });

  it('needs static spatial dims', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', ['batch', 3, 'h', 'w']);
    assert.throws(() => pytorchMaxPool2d(g, x, { kernel: 2 }), {
      message: 'pytorchMaxPool2d: input must be NCHW with static H and W, got float32[batch,3,h,w]',
    });
  });
});
