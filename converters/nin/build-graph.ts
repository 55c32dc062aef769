import type { CheckpointTensor } from '../pth/types.js';
import { GraphBuilder } from '../../src/graph/builder.js';
import { conv, flatten, pytorchAvgPool2d, pytorchMaxPool2d, relu, softmax } from '../../src/graph/ops/index.js';
import { tensorData } from '../../src/graph/tensor-data.js';
import type { Graph, Value } from '../../src/graph/types.js';
import { ArchitectureError } from './errors.js';
import type { Recognition } from './recognize.js';
import type { LayerSpec } from './spec.js';

export const INPUT_NAME = 'input';
export const LOGITS_NAME = 'logits';
export const PROBABILITIES_NAME = 'probabilities';
export const BATCH_DIM = 'batch';

export interface BuildOptions {
  readonly opsetVersion?: number;
}

/**
 * Spec + weights → inference graph: input [batch, 3, S, S] → … → logits [batch, classes] and
 * probabilities (softmax over classes). Dropout is left out (inference), pooling sizes are PyTorch's.
 * The ImageNet family's own Softmax becomes the `probabilities` output; CIFAR's gets one added.
 */
export function buildNinGraph(
  recognition: Recognition,
  tensors: ReadonlyMap<string, CheckpointTensor>,
  options: BuildOptions = {},
): Graph {
  const { family } = recognition;
  const g = new GraphBuilder({ name: `nin_${family.id}`, opsetVersion: options.opsetVersion ?? 17 });
  let x = g.input(INPUT_NAME, 'float32', [BATCH_DIM, 3, family.inputSize, family.inputSize]);
  const convByLayer = new Map(recognition.convs.map((c) => [c.layerIndex, c]));

  family.layers.forEach((layer, index) => {
    const name = `${family.container}.${index}`;
    switch (layer.kind) {
      case 'conv': {
        const binding = convByLayer.get(index)!;
        const w = g.initializer(`${name}.weight`, floatTensor(tensors, binding.weightKey));
        const b = g.initializer(`${name}.bias`, floatTensor(tensors, binding.biasKey));
        x = conv(g, x, w, b, { strides: layer.stride, pads: layer.padding, name: `${name}.conv` });
        break;
      }
      case 'relu':
        x = relu(g, x, { name: `${name}.relu` });
        break;
      case 'maxPool':
      case 'avgPool':
        x = pool(g, x, layer, name);
        break;
      case 'dropout':
        break; // identity at inference
      case 'softmax':
        break; // the probabilities output below is this softmax
    }
  });

  const logits = flatten(g, x, 1, { name: LOGITS_NAME });
  const classes = logits.shape[1];
  if (classes !== recognition.classCount) {
    throw new ArchitectureError(
      `${family.title} should end in a 1×1 map, but the last pool leaves ${String(x.shape[2])}×${String(x.shape[3])}`,
    );
  }
  g.output(logits, LOGITS_NAME);
  g.output(softmax(g, logits, 1, { name: PROBABILITIES_NAME }), PROBABILITIES_NAME);
  return g.build();
}

function floatTensor(tensors: ReadonlyMap<string, CheckpointTensor>, key: string) {
  const tensor = tensors.get(key);
  if (tensor === undefined || !(tensor.data instanceof Float32Array)) {
    throw new ArchitectureError(`${key} must be a floating tensor, got ${tensor?.dtype ?? 'nothing'}`);
  }
  return tensorData('float32', tensor.shape, tensor.data);
}

type PoolLayer = Extract<LayerSpec, { kind: 'maxPool' | 'avgPool' }>;

/** nn.MaxPool2d / nn.AvgPool2d with PyTorch's sizes and divisors (ceil_mode as explicit pads, see pytorch-pool.ts). */
function pool(g: GraphBuilder, x: Value, layer: PoolLayer, name: string): Value {
  const options = { kernel: layer.kernel, stride: layer.stride, padding: layer.padding, ceilMode: layer.ceilMode, name: `${name}.pool` };
  return layer.kind === 'maxPool'
    ? pytorchMaxPool2d(g, x, options)
    : pytorchAvgPool2d(g, x, { ...options, countIncludePad: layer.countIncludePad });
}
