import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  GraphBuilder,
  convertInitializersToFloat16,
  eliminateDeadNodes,
  float16ArrayToFloat32,
  float32Tensor,
  formatGraph,
  ops,
  removeIdentities,
  removeUnusedInitializers,
  runPasses,
} from '../../src/graph/index.js';

describe('eliminateDeadNodes', () => {
  it('removes nodes that do not reach an output, and reports no change the second time', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [2]);
    const kept = ops.relu(g, x);
    ops.exp(g, ops.neg(g, x)); // dead chain
    g.output(kept, 'y');
    const first = eliminateDeadNodes(g.build());
    assert.equal(first.changed, true);
    assert.deepEqual(
      first.graph.nodes.map((n) => n.opType),
      ['Relu'],
    );
    const second = eliminateDeadNodes(first.graph);
    assert.equal(second.changed, false);
    assert.equal(second.graph, first.graph);
  });
});

describe('removeUnusedInitializers', () => {
  it('drops initializers nothing reads', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [2]);
    const used = g.initializer('used', float32Tensor([1, 2]));
    g.initializer('unused', float32Tensor([3, 4]));
    g.output(ops.add(g, x, used), 'y');
    const result = removeUnusedInitializers(g.build());
    assert.equal(result.changed, true);
    assert.deepEqual(
      result.graph.initializers.map((i) => i.name),
      ['used'],
    );
  });
});

describe('removeIdentities', () => {
  it('bypasses inner Identities and folds output ones into their producer', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [2]);
    const a = ops.identity(g, ops.relu(g, x));
    const b = ops.exp(g, a);
    const c = ops.identity(g, b);
    g.output(c, 'y');
    const before = g.build();
    assert.deepEqual(
      before.nodes.map((n) => n.opType),
      ['Relu', 'Identity', 'Exp', 'Identity'],
    );
    const { graph, changed } = removeIdentities(before);
    assert.equal(changed, true);
    assert.equal(
      formatGraph(graph).split('nodes:\n')[1],
      '  %relu_0 = Relu(%x) : float32[2]\n  %y = Exp(%relu_0) : float32[2]\noutputs:\n  %y: float32[2]\n',
    );
  });

  it('keeps an Identity that names a graph input as an output', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [2]);
    g.output(x, 'same');
    const { graph, changed } = removeIdentities(g.build());
    assert.equal(changed, false);
    assert.deepEqual(
      graph.nodes.map((n) => n.opType),
      ['Identity'],
    );
  });
});

describe('runPasses', () => {
  it('runs to a fixpoint', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [2]);
    const w = g.initializer('w', float32Tensor([1, 2]));
    ops.mul(g, ops.identity(g, x), w); // dead once the identity is gone, then w is unused
    g.output(ops.relu(g, ops.identity(g, x)), 'y');
    const { graph, changed } = runPasses(g.build(), [removeIdentities, eliminateDeadNodes, removeUnusedInitializers]);
    assert.equal(changed, true);
    assert.deepEqual(
      graph.nodes.map((n) => `${n.opType}(${n.inputs.join(',')})`),
      ['Relu(x)'],
    );
    assert.deepEqual(graph.initializers, []);
  });
});

describe('convertInitializersToFloat16', () => {
  it('stores float32 weights as float16 with a Cast back under the original name', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', ['batch', 3]);
    const w = g.initializer('w', float32Tensor([0.1, -2, 65504], [3]));
    g.output(ops.mul(g, x, w), 'y');
    const { graph, changed } = convertInitializersToFloat16(g.build());
    assert.equal(changed, true);
    assert.equal(
      formatGraph(graph),
      [
        'graph graph',
        'inputs:',
        '  %x: float32[batch,3]',
        'initializers:',
        '  %w_float16: float16[3]',
        'nodes:',
        '  %w = Cast(%w_float16) {to=1} : float32[3]',
        '  %y = Mul(%x, %w) : float32[batch,3]',
        'outputs:',
        '  %y: float32[batch,3]',
        '',
      ].join('\n'),
    );
    const stored = graph.initializers[0]!.tensor;
    assert.equal(stored.dtype, 'float16');
    assert.deepEqual(Array.from(float16ArrayToFloat32(stored.data as Uint16Array)), [0.0999755859375, -2, 65504]);
    assert.equal(convertInitializersToFloat16(graph).changed, false);
  });

  it('refuses weights beyond the float16 range', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [1]);
    g.output(ops.mul(g, x, g.initializer('big', float32Tensor([70000]))), 'y');
    assert.throws(() => convertInitializersToFloat16(g.build()), {
      message: 'convertInitializersToFloat16: initializer big holds 70000, beyond the float16 range (±65504)',
    });
  });
});
