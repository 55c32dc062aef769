import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GraphBuilder, formatGraph, ops } from '../../src/graph/index.js';
import { tinyNin } from './helpers.js';

const GOLDEN = `graph tiny_nin
  # golden test
inputs:
  %input: float32[batch,3,32,32]
initializers:
  %classifier.0.weight: float32[8,3,5,5]
  %classifier.0.bias: float32[8]
  %classifier.20.weight: float32[10,8,1,1]
  %classifier.20.bias: float32[10]
nodes:
  %conv_0 = Conv(%input, %classifier.0.weight, %classifier.0.bias) {strides=[1,1], pads=[2,2,2,2], dilations=[1,1]} : float32[batch,8,32,32]
  %relu_1 = Relu(%conv_0) : float32[batch,8,32,32]
  %max_pool_2 = MaxPool(%relu_1) {kernel_shape=[3,3], strides=[2,2], pads=[1,1,1,1]} : float32[batch,8,16,16]
  %average_pool_3 = AveragePool(%max_pool_2) {kernel_shape=[3,3], strides=[2,2], pads=[1,1,1,1], count_include_pad=1} : float32[batch,8,8,8]
  %conv_4 = Conv(%average_pool_3, %classifier.20.weight, %classifier.20.bias) {strides=[1,1], pads=[0,0,0,0], dilations=[1,1]} : float32[batch,10,8,8]
  %average_pool_5 = AveragePool(%conv_4) {kernel_shape=[8,8], strides=[1,1], pads=[0,0,0,0], count_include_pad=1} : float32[batch,10,1,1]
  %constant_6 = Constant() {value=int64[2]{0,-1}} : int64[2]
  %logits = Reshape(%average_pool_5, %constant_6) : float32[batch,10]
  %probabilities = Softmax(%logits) {axis=1} : float32[batch,10]
outputs:
  %logits: float32[batch,10]
  %probabilities: float32[batch,10]
`;

describe('formatGraph', () => {
  it('matches the golden dump', () => {
    assert.equal(formatGraph(tinyNin()), GOLDEN);
  });

  it('prints floats as their shortest float32 form, strings quoted, omitted inputs as _', () => {
    const g = new GraphBuilder({ name: 'misc' });
    const x = g.input('x', 'float32', [1, 4]);
    ops.pad(g, x, [0, 1, 0, 1], { value: 0.1 });
    g.addNode('LeakyRelu', [x], { alpha: { type: 'float', value: Math.fround(0.01) } }, { outputTypes: [x] });
    g.addNode('Custom', [x, undefined, x], { mode: { type: 'string', value: 'a"b' } }, { outputTypes: [x] });
    assert.equal(
      formatGraph(g.build()).split('\n').slice(4, 9).join('\n'),
      [
        '  %constant_0 = Constant() {value=int64[4]{0,1,0,1}} : int64[4]',
        '  %constant_1 = Constant() {value=float32[]{0.1}} : float32[]',
        '  %pad_2 = Pad(%x, %constant_0, %constant_1) : float32[1,6]',
        '  %leaky_relu_3 = LeakyRelu(%x) {alpha=0.01} : float32[1,4]',
        '  %custom_4 = Custom(%x, _, %x) {mode="a\\"b"} : float32[1,4]',
      ].join('\n'),
    );
  });
});
