import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GraphBuilder, float32Tensor, ops } from '../../src/graph/index.js';

describe('GraphBuilder', () => {
  it('names nodes <op>_<n> with one counter, and honours name hints', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [1, 4]);
    const a = ops.relu(g, x);
    const b = ops.exp(g, a);
    const c = ops.neg(g, b, { name: 'negated' });
    const d = ops.neg(g, c, { name: 'negated' });
    const e = ops.matMul(g, d, g.initializer('m', float32Tensor(new Float32Array(16), [4, 4])));
    assert.deepEqual(
      [a.name, b.name, c.name, d.name, e.name],
      ['relu_0', 'exp_1', 'negated', 'negated_2', 'mat_mul_3'],
    );
  });

  it('refuses duplicate explicit names and values from another builder', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [1]);
    assert.throws(() => g.input('x', 'float32', [1]), { message: 'input: name "x" is already used in this graph' });
    assert.throws(() => g.initializer('x', float32Tensor([1])), {
      message: 'initializer: name "x" is already used in this graph',
    });
    const other = new GraphBuilder();
    assert.throws(() => ops.relu(other, x), { message: 'Relu: value "x" does not belong to this graph builder' });
    assert.throws(() => g.input('y', 'float32', [-1]), {
      message: 'input: dims of "y" must be non-negative integers or non-empty symbols, got [-1]',
    });
  });

  it('output() renames the producing node, and old handles follow the rename', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', ['batch', 4]);
    const r = ops.relu(g, x);
    const out = g.output(r, 'features');
    assert.equal(out.name, 'features');
    const later = ops.exp(g, r); // r still names "relu_0" but must read "features"
    g.output(later, 'scores');
    const graph = g.build();
    assert.deepEqual(
      graph.nodes.map((n) => [n.opType, n.inputs, n.outputs.map((o) => o.name)]),
      [
        ['Relu', ['x'], ['features']],
        ['Exp', ['features'], ['scores']],
      ],
    );
    assert.deepEqual(
      graph.outputs.map((o) => o.name),
      ['features', 'scores'],
    );
  });

  it('output() inserts an Identity for graph inputs, initializers and second names', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [2]);
    const w = g.initializer('w', float32Tensor([1, 2]));
    const y = ops.relu(g, x);
    g.output(x, 'echo');
    g.output(w, 'weights');
    g.output(y, 'y1');
    g.output(y, 'y2');
    assert.throws(() => g.output(y), { message: 'output: name "y1" is already used in this graph' });
    const graph = g.build();
    assert.deepEqual(
      graph.nodes.map((n) => `${n.opType}(${n.inputs.join(',')}) -> ${n.outputs[0]!.name}`),
      ['Relu(x) -> y1', 'Identity(x) -> echo', 'Identity(w) -> weights', 'Identity(y1) -> y2'],
    );
    assert.deepEqual(
      graph.outputs.map((o) => [o.name, o.shape]),
      [
        ['echo', [2]],
        ['weights', [2]],
        ['y1', [2]],
        ['y2', [2]],
      ],
    );
  });

  it('drops trailing omitted inputs but keeps inner ones as empty names', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [1, 1, 4, 4]);
    const w = g.initializer('w', float32Tensor(new Float32Array(9), [1, 1, 3, 3]));
    ops.conv(g, x, w, undefined);
    ops.slice(g, x, { starts: [0], ends: [2], steps: [1] });
    const [conv, , , , slice] = g.build().nodes;
    assert.deepEqual(conv!.inputs, ['x', 'w']);
    assert.deepEqual(slice!.inputs, ['x', 'constant_1', 'constant_2', '', 'constant_3']);
  });

  it('refuses opsets older than 13, whose Softmax and ReduceSum mean something else', () => {
    assert.throws(() => new GraphBuilder({ opsetVersion: 11 }), {
      message: 'GraphBuilder: opsetVersion must be an integer ≥ 13, got 11',
    });
  });

  it('adds ops without a shape rule only with explicit output types', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [3]);
    assert.throws(() => g.addNode('Erf', [x]), {
      message: 'addNode: no shape rule for Erf; pass outputTypes to add it anyway',
    });
    const y = g.addNode('Erf', [x], {}, { outputTypes: [{ dtype: 'float32', shape: [3] }] });
    assert.deepEqual([y.name, y.shape], ['erf_0', [3]]);
  });
});

describe('a rejected op', () => {
  it('leaves neither nodes nor used names behind', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [2, 3]);
    assert.throws(() => ops.reshape(g, x, [4, -1]), {
      message: 'reshape: cannot reshape [2,3] into [4,-1]: sizes do not divide',
    });
    assert.throws(() => ops.slice(g, x, { starts: [0], ends: [1], axes: [5] }), {
      message: 'slice: axis 5 is out of range for rank 2',
    });
    const y = ops.reshape(g, x, [3, 2]);
    const graph = g.build();
    assert.deepEqual(
      graph.nodes.map((n) => n.name),
      ['constant_0', 'reshape_1'],
    );
    assert.equal(y.name, 'reshape_1');
  });
});
