/** The layout of the emitted artifacts: names, shapes, parameters as inputs, and standard ONNX ops only. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { convertCheckpoint, NIN_CIFAR10, NIN_IMAGENET } from '../../src/convert/index.js';
import { ninOfTensors } from '../support/nin-architecture.js';
import { readOnnx, type Graph } from '../../src/graph/index.js';
import { architectureFromWidths } from '../../src/train/index.js';
import { buildNinTrainingArtifacts, buildNinTrainingGraphs } from '../../src/train/nin/forward.js';
import { ninParameters } from '../../src/train/nin/architecture.js';
import { CHECKPOINTS } from '../support/fixtures.js';
import { checkpointTensors, relativeError, runOnce, tensor, type Feeds } from './helpers.js';

const CIFAR_SMALL = architectureFromWidths(NIN_CIFAR10, [32, 24, 16, 32, 32, 32, 32, 32, 10]);
const IMAGENET_SMALL = architectureFromWidths(NIN_IMAGENET, [16, 16, 16, 24, 24, 24, 32, 32, 32, 40, 32, 1000]);

/** ONNX Runtime training kernels, and ops that WebGPU/JSEP or onnxruntime-web lack. */
const FORBIDDEN = [
  'ConvGrad',
  'ReluGrad',
  'MaxPoolGrad',
  'AveragePoolGrad',
  'SoftmaxCrossEntropy',
  'SoftmaxCrossEntropyLoss',
  'SoftmaxCrossEntropyLossGrad',
  'SoftmaxGrad',
  'InPlaceAccumulatorV2',
  'AdamWOptimizer',
  'SGDOptimizerV2',
  'ScatterElements',
  'ScatterND',
  'MaxUnpool',
  'OneHot',
  'LogSoftmax',
  'Gather',
  'Shape',
];

function describeIo(graph: Graph) {
  return {
    inputs: graph.inputs.map((v) => [v.name, [...v.shape]]),
    outputs: graph.outputs.map((v) => [v.name, [...v.shape]]),
  };
}

function checkStandardOps(graph: Graph): void {
  for (const node of graph.nodes) {
    assert.ok(!FORBIDDEN.includes(node.opType), `${graph.name}: ${node.opType} (${node.name})`);
    if (node.opType === 'MaxPool') assert.equal(node.outputs.length, 1, 'MaxPool without Indices');
    for (const key of ['auto_pad', 'ceil_mode']) assert.ok(!(key in node.attributes), `${node.name} has ${key}`);
  }
}

describe('training artifacts', () => {
  const artifacts = buildNinTrainingArtifacts(CIFAR_SMALL, { optimizer: 'sgd' });
  // The graphs as built: src/graph's readOnnx cannot type them back while the batch is symbolic (see the test below).
  const { training, eval: evaluation, optimizer } = buildNinTrainingGraphs(CIFAR_SMALL, { optimizer: 'sgd' });
  const names = artifacts.parameterNames;

  it('names parameters as the state_dict does, in its order', () => {
    const keys = [...checkpointTensors('cifar-small.pth').keys()];
    assert.deepEqual(names, keys);
    const recognized = ninOfTensors(checkpointTensors('cifar-small.pth')).convs;
    assert.deepEqual(
      recognized.map(({ layerIndex, inChannels, outChannels }) => ({ layerIndex, inChannels, outChannels })),
      CIFAR_SMALL.convs,
    );
    assert.deepEqual(artifacts.parameters, ninParameters(CIFAR_SMALL));
  });

  it('training_model.onnx: parameters, input, masks, then the loss block’s labels → loss and one <param>_grad each', () => {
    const io = describeIo(training);
    assert.deepEqual(io.inputs, [
      ...artifacts.parameters.map((p) => [p.name, [...p.shape]]),
      ['input', ['batch', 3, 32, 32]],
      ['classifier.7.mask', ['batch', 16, 16, 16]],
      ['classifier.15.mask', ['batch', 32, 8, 8]],
      ['labels', ['batch', 10]],
    ]);
    assert.deepEqual(io.outputs, [['loss', []], ...artifacts.parameters.map((p) => [`${p.name}_grad`, [...p.shape]])]);
    assert.deepEqual(
      artifacts.dropoutMasks.map((m) => [m.name, m.layerIndex, m.p]),
      [
        ['classifier.7.mask', 7, 0.5],
        ['classifier.15.mask', 15, 0.5],
      ],
    );
  });

  it('eval_model.onnx: parameters, input, labels → loss and logits, no dropout', () => {
    const io = describeIo(evaluation);
    assert.deepEqual(
      io.inputs.map(([name]) => name),
      [...names, 'input', 'labels'],
    );
    assert.deepEqual(io.outputs, [
      ['loss', []],
      ['logits', ['batch', 10]],
    ]);
  });

  it('keeps parameters out of the initializers and uses standard ONNX ops only', () => {
    for (const graph of [training, evaluation, optimizer]) {
      assert.ok(
        !graph.initializers.some((i) => names.includes(i.name)),
        `${graph.name}: a parameter is an initializer`,
      );
      checkStandardOps(graph);
    }
    checkStandardOps(buildNinTrainingGraphs(IMAGENET_SMALL, { optimizer: 'adamw' }).training);
  });

  it('writes ONNX that reads back as the same graph (static batch)', () => {
    // With a symbolic batch, the weight-gradient Conv has the batch as its kernel's channel count, which ONNX and
    // ONNX Runtime accept but src/graph's Conv shape rule (static weight channels) does not, so readOnnx refuses it.
    const graphs = buildNinTrainingGraphs(CIFAR_SMALL, { optimizer: 'sgd', batch: 2 });
    const bytes = buildNinTrainingArtifacts(CIFAR_SMALL, { optimizer: 'sgd', batch: 2 });
    for (const [graph, model] of [
      [graphs.training, bytes.trainingModel],
      [graphs.eval, bytes.evalModel],
      [graphs.optimizer, bytes.optimizerModel],
    ] as const) {
      const read = readOnnx(model).graph;
      assert.deepEqual(describeIo(read), describeIo(graph));
      assert.deepEqual(
        read.nodes.map((n) => n.opType),
        graph.nodes.map((n) => n.opType),
      );
    }
  });

  it('optimizer_model.onnx (SGD): hyperparameters, parameters, gradients, momentum buffers → updated ones', () => {
    const io = describeIo(optimizer);
    assert.deepEqual(io.inputs.slice(0, 3), [
      ['learning_rates', [18]],
      ['weight_decays', [18]],
      ['momentum', []],
    ]);
    assert.deepEqual(
      io.inputs.slice(3, 6).map(([n]) => n),
      ['classifier.0.weight', 'classifier.0.weight_grad', 'classifier.0.weight_momentum_buffer'],
    );
    assert.deepEqual(
      io.outputs.slice(0, 2).map(([n]) => n),
      ['classifier.0.weight_updated', 'classifier.0.weight_momentum_buffer_updated'],
    );
    assert.equal(io.outputs.length, 2 * names.length);
  });

  it('optimizer_model.onnx (AdamW): scalars as inputs, both moments per parameter', () => {
    const io = describeIo(buildNinTrainingGraphs(CIFAR_SMALL, { optimizer: 'adamw' }).optimizer);
    assert.deepEqual(
      io.inputs.slice(0, 7).map(([n]) => n),
      ['learning_rates', 'weight_decays', 'beta1', 'beta2', 'epsilon', 'bias_correction1', 'bias_correction2_sqrt'],
    );
    assert.deepEqual(
      io.inputs.slice(7, 11).map(([n]) => n),
      [
        'classifier.0.weight',
        'classifier.0.weight_grad',
        'classifier.0.weight_exp_avg',
        'classifier.0.weight_exp_avg_sq',
      ],
    );
    assert.equal(io.outputs.length, 3 * names.length);
  });

  it('a static batch size when asked, and a clear refusal of an input size the family cannot classify', () => {
    const fixed = buildNinTrainingArtifacts(CIFAR_SMALL, { optimizer: 'sgd', batch: 4 });
    assert.deepEqual(fixed.inputShape, [4, 3, 32, 32]);
    assert.deepEqual(
      fixed.dropoutMasks.map((m) => m.shape),
      [
        [4, 16, 16, 16],
        [4, 32, 8, 8],
      ],
    );
    // The last pool (8×8, stride 1) would leave 9×9: no classifier.
    assert.throws(
      () => buildNinTrainingArtifacts(CIFAR_SMALL, { optimizer: 'sgd', inputSize: 64 }),
      /at input 64 ends in a 9×9 map, not 1×1/,
    );
    assert.throws(
      () => buildNinTrainingArtifacts(CIFAR_SMALL, { optimizer: 'sgdm' as 'sgd' }),
      /should be one of sgd, adamw/,
    );
  });
});

describe('eval_model.onnx logits are the pre-softmax logits of the ImageNet family', () => {
  it("equal the converter's inference logits for imagenet-small", async () => {
    const bytes = readFileSync(join(CHECKPOINTS, 'imagenet-small.pth'));
    const tensors = checkpointTensors('imagenet-small.pth');
    const artifacts = buildNinTrainingArtifacts(ninOfTensors(tensors), { optimizer: 'sgd' });
    const input = Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => ((i * 7919) % 255) - 128);
    const labels = new Float32Array(1000);
    labels[3] = 1;
    const feeds: Feeds = { input: tensor(input, [1, 3, 224, 224]), labels: tensor(labels, [1, 1000]) };
    for (const p of artifacts.parameters) feeds[p.name] = tensor(tensors.get(p.name)!.data, p.shape);
    const ours = await runOnce(artifacts.evalModel, feeds);
    const converted = await runOnce((await convertCheckpoint(bytes)).onnx, { input: feeds['input']! });
    assert.ok(relativeError(ours['logits']!, converted['logits']!) <= 1e-5);
  });
});
