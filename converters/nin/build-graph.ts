import type { CheckpointTensor } from '../pth/types.js';
import { GraphBuilder } from '../../src/graph/builder.js';
import { averagePool, conv, flatten, maxPool, pad, relu, softmax } from '../../src/graph/ops/index.js';
import { pytorchPool2dPads } from '../../src/graph/pytorch-pooling.js';
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

function pool(g: GraphBuilder, x: Value, layer: PoolLayer, name: string): Value {
  const [height, width] = [x.shape[2], x.shape[3]];
  if (typeof height !== 'number' || typeof width !== 'number') {
    throw new Error(`internal: ${name} needs a static spatial size, got ${String(height)}×${String(width)}`);
  }
  const { pads, extraEnd } = pytorchPool2dPads({
    inputSize: [height, width],
    kernel: layer.kernel,
    stride: layer.stride,
    padding: layer.padding,
    ceilMode: layer.ceilMode,
  });
  const common = { kernelShape: layer.kernel, strides: layer.stride, name: `${name}.pool` };
  if (layer.kind === 'maxPool') return maxPool(g, x, { ...common, pads });

  const ceilExtra = extraEnd[0] > 0 || extraEnd[1] > 0;
  if (!ceilExtra || !layer.countIncludePad) {
    return averagePool(g, x, { ...common, pads, countIncludePad: layer.countIncludePad });
  }
  if (layer.padding === 0) {
    // No real padding to count, and PyTorch never counts the ceil_mode overhang: excluding pads is exact.
    return averagePool(g, x, { ...common, pads, countIncludePad: false });
  }
  // PyTorch counts its own zero padding but not the ceil_mode overhang: pad explicitly with zeros (now counted
  // as data), then pool over the overhang only, excluding it from the divisor.
  const p = layer.padding;
  const padded = pad(g, x, [0, 0, p, p, 0, 0, p, p], { name: `${name}.pad` });
  return averagePool(g, padded, { ...common, pads: [0, 0, extraEnd[0], extraEnd[1]], countIncludePad: false });
}
