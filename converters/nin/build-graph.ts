import type { CheckpointTensor } from '../pth/types.js';
import { GraphBuilder } from '../../src/graph/builder.js';
import { flatten, softmax } from '../../src/graph/ops/index.js';
import { tensorData } from '../../src/graph/tensor-data.js';
import type { Graph } from '../../src/graph/types.js';
import { ArchitectureError } from './errors.js';
import { applyNinLayers } from './layer-walk.js';
import { BATCH_DIM, INPUT_NAME, LOGITS_NAME, PROBABILITIES_NAME } from './io-names.js';
import type { Recognition } from './recognize.js';

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
  const g = new GraphBuilder({ name: `nin_${family.id}`, opsetVersion: options.opsetVersion });
  const input = g.input(INPUT_NAME, 'float32', [BATCH_DIM, 3, family.inputSize, family.inputSize]);
  const convByLayer = new Map(recognition.convs.map((c) => [c.layerIndex, c]));
  const x = applyNinLayers(g, family, input, {
    convParameters: (name, index) => {
      const binding = convByLayer.get(index)!;
      return {
        weight: g.initializer(`${name}.weight`, floatTensor(tensors, binding.weightKey)),
        bias: g.initializer(`${name}.bias`, floatTensor(tensors, binding.biasKey)),
      };
    },
    dropout: (activations) => activations, // identity at inference
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
