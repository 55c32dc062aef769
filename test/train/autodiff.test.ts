/**
 * buildGradientGraph itself: summing the gradients of a value used several times, broadcasting, the elementwise
 * and shape rules, and the errors that name what cannot be differentiated.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { float32Tensor, GraphBuilder, ops, writeOnnx, type Value } from '../../src/graph/index.js';
import { buildGradientGraph } from '../../src/train/autodiff/gradient-graph.js';
import { GradientError } from '../../src/train/autodiff/rule.js';
import { relativeError, runOnce, tensor } from './helpers.js';

/** y = f(inputs) with dY as an extra input; returns the gradient of each `wrt` input, run on ONNX Runtime. */
async function gradients(
  inputs: Record<string, { shape: readonly (number | string)[]; data: number[]; dims?: number[] }>,
  wrt: readonly string[],
  f: (g: GraphBuilder, v: Record<string, Value>) => Value,
  dY: { data: number[]; dims: number[] },
): Promise<Record<string, Float32Array>> {
  const g = new GraphBuilder({ name: 'f' });
  const values: Record<string, Value> = {};
  for (const [name, spec] of Object.entries(inputs)) values[name] = g.input(name, 'float32', spec.shape);
  const y = g.output(f(g, values), 'y');
  const dy = g.input('dy', 'float32', y.shape);
  const graph = buildGradientGraph(g.build(), { wrt, seed: { value: 'y', gradient: dy.name } });
  const feeds = Object.fromEntries(
    Object.entries(inputs).map(([name, spec]) => [
      name,
      tensor(Float32Array.from(spec.data), spec.dims ?? (spec.shape as number[])),
    ]),
  );
  feeds['dy'] = tensor(Float32Array.from(dY.data), dY.dims);
  return runOnce(writeOnnx(graph), feeds);
}

function close(actual: Float32Array | undefined, expected: number[]): void {
  assert.ok(actual, 'gradient output exists');
  assert.ok(relativeError(actual, expected) <= 1e-6, `${[...actual].join(', ')} vs ${expected.join(', ')}`);
}

describe('buildGradientGraph', () => {
  it('sums the gradients of a value read by several nodes: y = x·x + relu(x)', async () => {
    const x = [-2, -0.5, 0, 1.5];
    const dy = [1, 2, 3, 4];
    const out = await gradients(
      { x: { shape: [4], data: x } },
      ['x'],
      (g, v) => ops.add(g, ops.mul(g, v['x']!, v['x']!), ops.relu(g, v['x']!)),
      {
        data: dy,
        dims: [4],
      },
    );
    close(
      out['x_grad'],
      x.map((xi, i) => dy[i]! * (2 * xi + (xi > 0 ? 1 : 0))),
    );
  });

  it('reduces broadcast operands back to their shapes: Add, Sub, Mul, Div', async () => {
    const a = [1, 2, 3, 4, 5, 6];
    const b = [2, 4, 8];
    const dy = [1, -1, 2, 0.5, 3, -2];
    const inputs = { a: { shape: [2, 3], data: a }, b: { shape: [3], data: b } };
    const dims = { data: dy, dims: [2, 3] };
    const col = (values: number[]) => [0, 1, 2].map((j) => values[j]! + values[j + 3]!);
    const sum = await gradients(inputs, ['a', 'b'], (g, v) => ops.add(g, v['a']!, v['b']!), dims);
    close(sum['a_grad'], dy);
    close(sum['b_grad'], col(dy));
    const difference = await gradients(inputs, ['a', 'b'], (g, v) => ops.sub(g, v['a']!, v['b']!), dims);
    close(
      difference['b_grad'],
      col(dy).map((d) => -d),
    );
    const product = await gradients(inputs, ['a', 'b'], (g, v) => ops.mul(g, v['a']!, v['b']!), dims);
    close(
      product['a_grad'],
      dy.map((d, i) => d * b[i % 3]!),
    );
    close(product['b_grad'], col(dy.map((d, i) => d * a[i]!)));
    const quotient = await gradients(inputs, ['a', 'b'], (g, v) => ops.div(g, v['a']!, v['b']!), dims);
    close(
      quotient['a_grad'],
      dy.map((d, i) => d / b[i % 3]!),
    );
    close(quotient['b_grad'], col(dy.map((d, i) => (-d * a[i]!) / b[i % 3]! ** 2)));
  });

  it('Flatten, Reshape, Neg and Identity with a symbolic batch; Pad slices its border back off', async () => {
    const x = [1, 2, 3, 4, 5, 6, 7, 8];
    const dy = [8, 7, 6, 5, 4, 3, 2, 1];
    const out = await gradients(
      { x: { shape: ['batch', 2, 2, 1], data: x, dims: [2, 2, 2, 1] } },
      ['x'],
      (g, v) => ops.neg(g, ops.identity(g, ops.reshape(g, ops.flatten(g, v['x']!, 1), [0, 2, 2]))),
      { data: dy, dims: [2, 2, 2] },
    );
    close(
      out['x_grad'],
      dy.map((d) => -d),
    );
    const padded = await gradients(
      { x: { shape: [1, 1, 2, 2], data: [1, 2, 3, 4] } },
      ['x'],
      (g, v) => ops.pad(g, v['x']!, [0, 0, 1, 0, 0, 0, 0, 2], { value: 7 }),
      { data: Array.from({ length: 12 }, (_, i) => i), dims: [1, 1, 3, 4] },
    );
    close(padded['x_grad'], [4, 5, 8, 9]);
  });

  it('names what it cannot differentiate', () => {
    const g = new GraphBuilder({ name: 'f' });
    const x = g.input('x', 'float32', [2]);
    const unrelated = g.input('w', 'float32', [2]);
    const y = g.output(ops.exp(g, x), 'y');
    g.output(ops.identity(g, unrelated), 'w_copy');
    const dy = g.input('dy', 'float32', [2]);
    const graph = g.build();
    const seed = { value: y.name, gradient: dy.name };
    assert.throws(
      () => buildGradientGraph(graph, { wrt: ['x'], seed }),
      (e: unknown) => {
        assert.ok(e instanceof GradientError);
        assert.match(e.message, /no gradient rule for Exp \(node exp_\d+\); rules exist for Add, AveragePool, Conv/);
        return true;
      },
    );
    assert.throws(() => buildGradientGraph(graph, { wrt: ['w'], seed }), /y does not depend on "w"/);
    assert.throws(
      () => buildGradientGraph(graph, { wrt: ['nope'], seed }),
      /wrt value "nope" is not a value of graph f/,
    );
  });

  it('emits no gradient nodes for inputs that need none (a constant scale, a mask)', () => {
    const g = new GraphBuilder({ name: 'f' });
    const x = g.input('x', 'float32', [2]);
    const mask = g.input('mask', 'float32', [2]);
    const y = g.output(ops.mul(g, ops.mul(g, x, mask), g.constant(float32Tensor([2], []))), 'y');
    const dy = g.input('dy', 'float32', [2]);
    const graph = buildGradientGraph(g.build(), { wrt: ['x'], seed: { value: y.name, gradient: dy.name } });
    const backward = graph.nodes.filter((n) => n.opType === 'Mul').length - 2;
    assert.equal(backward, 2, 'one Mul per forward Mul, for x only');
    assert.deepEqual(
      graph.outputs.map((o) => o.name),
      ['y', 'x_grad'],
    );
  });
});
