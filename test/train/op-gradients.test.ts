/**
 * Every gradient rule against PyTorch autograd (float64 on the same float32
 * data), one graph per case from fixtures/training/ops: the op built with
 * src/graph's builders, back-propagation seeded with PyTorch's dY.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { float32Tensor, GraphBuilder, ops, writeOnnx, type Value } from '../../src/graph/index.js';
import { pytorchAvgPool2d, pytorchMaxPool2d } from '../../src/architectures/pytorch-ops/index.js';
import { buildGradientGraph } from '../../src/train/autodiff/gradient-graph.js';
import { softmaxCrossEntropy, softmaxCrossEntropyGradient } from '../../src/train/loss/softmax-cross-entropy.js';
import { Bundle, relativeError, runOnce, tensor, type Feeds } from './helpers.js';

const TOLERANCE = 1e-5;
const bundle = new Bundle('ops');

interface OpCase {
  readonly name: string;
  readonly kind: 'conv' | 'maxPool' | 'avgPool' | 'relu' | 'dropout' | 'globalAveragePool' | 'softmaxCrossEntropy';
  readonly kernel?: number;
  readonly stride?: number;
  readonly padding?: number;
  readonly ceilMode?: boolean;
  readonly countIncludePad?: boolean;
  readonly p?: number;
}

/** Which fixture arrays are graph inputs, which are differentiated, and how the op is built from them. */
interface CaseGraph {
  readonly inputs: readonly string[];
  readonly wrt: readonly string[];
  /** Builds y from the inputs; for the loss, also returns the seed gradient (else dY is an input). */
  readonly build: (g: GraphBuilder, v: Record<string, Value>) => { y: Value; seed?: Value };
}

function caseGraph(c: OpCase): CaseGraph {
  const pool = { kernel: c.kernel ?? 1, stride: c.stride ?? 1, padding: c.padding ?? 0, ceilMode: c.ceilMode ?? false };
  switch (c.kind) {
    case 'conv':
      return {
        inputs: ['x', 'w', 'b'],
        wrt: ['x', 'w', 'b'],
        build: (g, v) => ({ y: ops.conv(g, v['x']!, v['w']!, v['b']!, { strides: pool.stride, pads: pool.padding }) }),
      };
    case 'maxPool':
      return { inputs: ['x'], wrt: ['x'], build: (g, v) => ({ y: pytorchMaxPool2d(g, v['x']!, pool) }) };
    case 'avgPool':
      return {
        inputs: ['x'],
        wrt: ['x'],
        build: (g, v) => ({ y: pytorchAvgPool2d(g, v['x']!, { ...pool, countIncludePad: c.countIncludePad ?? true }) }),
      };
    case 'relu':
      return { inputs: ['x'], wrt: ['x'], build: (g, v) => ({ y: ops.relu(g, v['x']!) }) };
    case 'dropout':
      return {
        inputs: ['x', 'mask'],
        wrt: ['x'],
        build: (g, v) => ({
          y: ops.mul(g, v['x']!, ops.div(g, v['mask']!, g.constant(float32Tensor([1 - (c.p ?? 0.5)], [])))),
        }),
      };
    case 'globalAveragePool':
      return { inputs: ['x'], wrt: ['x'], build: (g, v) => ({ y: ops.globalAveragePool(g, v['x']!) }) };
    case 'softmaxCrossEntropy':
      return {
        inputs: ['logits', 'labels'],
        wrt: ['logits'],
        build: (g, v) => {
          g.output(softmaxCrossEntropy(g, v['logits']!, v['labels']!), 'loss');
          return { y: v['logits']!, seed: softmaxCrossEntropyGradient(g, v['logits']!, v['labels']!) };
        },
      };
  }
}

async function checkCase(c: OpCase): Promise<void> {
  const spec = caseGraph(c);
  const g = new GraphBuilder({ name: c.name });
  const values: Record<string, Value> = {};
  for (const key of spec.inputs) values[key] = g.input(key, 'float32', bundle.shape(`${c.name}.${key}`));
  const { y, seed } = spec.build(g, values);
  const dY = seed ?? g.input('dy', 'float32', bundle.shape(`${c.name}.dy`));
  const seedValue = seed === undefined ? g.output(y, 'y') : y;
  const graph = buildGradientGraph(g.build(), { wrt: spec.wrt, seed: { value: seedValue.name, gradient: dY.name } });

  const feeds: Feeds = {};
  for (const key of [...spec.inputs, ...(seed === undefined ? ['dy'] : [])]) {
    feeds[key] = tensor(bundle.float32(`${c.name}.${key}`), bundle.shape(`${c.name}.${key}`));
  }
  const out = await runOnce(writeOnnx(graph), feeds);
  const forward = seed === undefined ? out['y']! : out['loss']!;
  assert.ok(
    relativeError(forward, bundle.float32(`${c.name}.y`)) <= TOLERANCE,
    `${c.name}: forward differs from PyTorch`,
  );
  for (const key of spec.wrt) {
    const error = relativeError(out[`${key}_grad`]!, bundle.float32(`${c.name}.d${key}`));
    assert.ok(error <= TOLERANCE, `${c.name}: d${key} relative error ${error}`);
  }
}

describe('gradient rules match PyTorch autograd', () => {
  const cases = (bundle.meta['cases'] as OpCase[]) ?? [];
  it('has a case for every rule a NIN needs', () => {
    const kinds = new Set(cases.map((c) => c.kind));
    for (const kind of ['conv', 'maxPool', 'avgPool', 'relu', 'dropout', 'globalAveragePool', 'softmaxCrossEntropy']) {
      assert.ok(kinds.has(kind as OpCase['kind']), kind);
    }
  });
  for (const c of cases) it(c.name, () => checkCase(c));
});
