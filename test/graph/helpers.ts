import * as ort from 'onnxruntime-node';
import { GraphBuilder, float32Tensor, ops, type Graph } from '../../src/graph/index.js';
import { pytorchPool2dPads } from '../../src/architectures/pytorch-ops/index.js';

/** A CIFAR-NIN-shaped graph at tiny width: one block of each kind the converter emits. */
export function tinyNin(): Graph {
  const g = new GraphBuilder({ name: 'tiny_nin', docString: 'golden test' });
  const weights = (name: string, dims: number[]) =>
    g.initializer(name, float32Tensor(new Float32Array(dims.reduce((a, b) => a * b)), dims));
  const input = g.input('input', 'float32', ['batch', 3, 32, 32]);
  let x = ops.conv(g, input, weights('classifier.0.weight', [8, 3, 5, 5]), weights('classifier.0.bias', [8]), {
    pads: 2,
  });
  x = ops.relu(g, x);
  x = ops.maxPool(g, x, {
    kernelShape: 3,
    strides: 2,
    pads: pytorchPool2dPads({ inputSize: [32, 32], kernel: 3, stride: 2, padding: 1, ceilMode: false }).pads,
  });
  x = ops.averagePool(g, x, { kernelShape: 3, strides: 2, pads: 1, countIncludePad: true });
  x = ops.conv(g, x, weights('classifier.20.weight', [10, 8, 1, 1]), weights('classifier.20.bias', [10]));
  x = ops.averagePool(g, x, { kernelShape: 8, strides: 1, countIncludePad: true });
  const logits = g.output(ops.reshape(g, x, [0, -1]), 'logits');
  g.output(ops.softmax(g, logits, 1), 'probabilities');
  return g.build();
}

/** Runs ONNX bytes on onnxruntime-node (CPU) with float32 inputs; returns each output's dims and data. */
export async function runOnnx(
  bytes: Uint8Array,
  feeds: Readonly<Record<string, { readonly data: Float32Array; readonly dims: readonly number[] }>>,
): Promise<Record<string, { dims: readonly number[]; type: string; data: Float32Array }>> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const inputs: Record<string, ort.Tensor> = {};
    for (const [name, f] of Object.entries(feeds)) inputs[name] = new ort.Tensor('float32', f.data, f.dims);
    const results = await session.run(inputs);
    const out: Record<string, { dims: readonly number[]; type: string; data: Float32Array }> = {};
    for (const [name, t] of Object.entries(results))
      out[name] = { dims: t.dims, type: t.type, data: t.data as Float32Array };
    return out;
  } finally {
    await session.release();
  }
}

/** Asserts two float arrays agree within `tolerance`, naming the first index that does not. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-5): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} vs expected ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    if (!(Math.abs(actual[i]! - expected[i]!) <= tolerance)) {
      throw new Error(`index ${i}: ${actual[i]} vs expected ${expected[i]} (tolerance ${tolerance})`);
    }
  }
}

/** One use of every op, each made a graph output so ONNX Runtime reports its shape. */
export function kitchenSink(opsetVersion: number): Graph {
  const g = new GraphBuilder({ opsetVersion });
  const w = (name: string, dims: number[]) =>
    g.initializer(
      name,
      float32Tensor(
        Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => ((i % 5) - 2) / 10),
        dims,
      ),
    );
  const x = g.input('x', 'float32', ['batch', 2, 8, 8]);
  const out = (name: string, v: ReturnType<typeof g.input>) => g.output(v, name);
  const conv = out('conv', ops.conv(g, x, w('cw', [4, 2, 3, 3]), w('cb', [4]), { strides: 2, pads: [1, 0, 0, 1] }));
  out(
    'conv_t',
    ops.convTranspose(g, conv, w('tw', [4, 2, 3, 3]), undefined, { strides: 2, pads: 1, outputPadding: 1 }),
  );
  out('grouped_t', ops.convTranspose(g, x, w('gw', [2, 1, 2, 2]), undefined, { strides: 2, group: 2 }));
  out('max', ops.maxPool(g, x, { kernelShape: 3, strides: 2, pads: [0, 0, 1, 1] }));
  out(
    'avg',
    ops.averagePool(g, x, { kernelShape: [2, 3], strides: [2, 1], pads: [1, 1, 0, 1], countIncludePad: true }),
  );
  out('gap', ops.globalAveragePool(g, x));
  out('relu', ops.relu(g, x));
  out('exp', ops.exp(g, x));
  out('log', ops.log(g, x));
  out('sqrt', ops.sqrt(g, x));
  out('neg', ops.neg(g, x));
  out('identity', ops.identity(g, x));
  const row = w('row', [8]);
  out('add', ops.add(g, x, row));
  out('sub', ops.sub(g, w('col', [2, 1, 1]), x));
  out('mul', ops.mul(g, x, x));
  out('div', ops.div(g, x, w('scalar', [])));
  const positive = out('greater', ops.greater(g, x, row));
  out('equal', ops.equal(g, x, x));
  out('where', ops.where(g, positive, x, row));
  out('softmax', ops.softmax(g, x, 1));
  out('flatten', ops.flatten(g, x, 2));
  out('reshape', ops.reshape(g, x, [0, -1, 4]));
  out('transpose', ops.transpose(g, x, [0, 2, 3, 1]));
  out('matmul', ops.matMul(g, x, w('m', [8, 5])));
  out('sum', ops.reduceSum(g, x, [1, 3]));
  out('mean', ops.reduceMean(g, x, [-1], { keepdims: false }));
  out('rmax', ops.reduceMax(g, x, [2]));
  out('lse', ops.reduceLogSumExp(g, x, [1], { keepdims: false }));
  out('sum_all', ops.reduceSum(g, x, undefined, { keepdims: false }));
  out('slice', ops.slice(g, x, { starts: [1, -1], ends: [7, -9], axes: [2, 3], steps: [2, -3] }));
  out('concat', ops.concat(g, [x, ops.relu(g, x), x], 1));
  out('expand', ops.expand(g, ops.reduceMean(g, x, [2, 3]), [1, 1, 8, 8]));
  out('cast', ops.cast(g, x, 'int64'));
  out('pad', ops.pad(g, x, [0, 0, 1, 2, 0, 0, 3, -1], { value: 1.5 }));
  return g.build();
}
