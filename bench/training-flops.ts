import type { Graph } from '../src/graph/index.js';
import { INPUT_NAME } from '../src/architectures/io-names.js';

/**
 * Multiply-adds of one image's training step, counted from a forward graph's Conv nodes: each conv's forward
 * product, its weight gradient (the same count) and its input gradient (the same again) unless its input is the
 * graph's input, which needs none. Pools, ReLUs and the loss are left out: they are not what a CPU's peak measures.
 */
export function trainingMultiplyAdds(forward: Graph): number {
  return forward.nodes
    .filter((node) => node.opType === 'Conv')
    .reduce((sum, node) => {
      const perImage = convMultiplyAdds(forward, node.inputs[1]!, node.outputs[0]!.shape);
      return sum + perImage * (node.inputs[0] === INPUT_NAME ? 2 : 3);
    }, 0);
}

/** M·(C/group)·kh·kw·Ho·Wo of one image: the weight (a graph input, [M, C/group, kh, kw]) and the output's Ho, Wo. */
function convMultiplyAdds(forward: Graph, weightName: string, outputShape: readonly (number | string)[]): number {
  const weight = forward.inputs.find((v) => v.name === weightName);
  const dims = [...(weight?.shape ?? []), ...outputShape.slice(2)];
  if (weight === undefined || !dims.every((d): d is number => typeof d === 'number'))
    throw new Error(`internal: conv weight ${weightName} is no graph input, or its output has no static shape`);
  return dims.reduce((a, b) => a * b, 1);
}
