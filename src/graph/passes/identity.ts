import type { Graph, Node } from '../types.js';
import { replaceInputs, type PassResult } from './pass.js';

/**
 * Removes Identity nodes. An Identity whose output is internal is bypassed.
 * One that only gives a graph output its name is folded into the node that
 * computes its input, which is renamed instead; it stays when its input is a
 * graph input, an initializer or another graph output, since those names
 * cannot change.
 */
export function removeIdentities(graph: Graph): PassResult {
  let nodes: Node[] = [...graph.nodes];
  let changed = false;
  const outputNames = new Set(graph.outputs.map((v) => v.name));
  const fixedNames = new Set([
    ...graph.inputs.map((v) => v.name),
    ...graph.initializers.map((i) => i.name),
    ...outputNames,
  ]);

  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    if (node.opType !== 'Identity' || node.inputs[0] === undefined || node.inputs[0] === '') continue;
    const source = node.inputs[0];
    const target = node.outputs[0]!.name;
    if (!outputNames.has(target)) {
      nodes = nodes.filter((n) => n !== node).map((n) => replaceInputs(n, target, source));
    } else {
      const producerIndex = nodes.findIndex((n) => n.outputs.some((v) => v.name === source));
      if (producerIndex < 0 || fixedNames.has(source) || nodes[producerIndex]!.opType === 'Constant') continue;
      const producer = nodes[producerIndex]!;
      nodes[producerIndex] = {
        ...producer,
        outputs: producer.outputs.map((v) => (v.name === source ? { ...v, name: target } : v)),
      };
      nodes = nodes.filter((n) => n !== node).map((n) => replaceInputs(n, source, target));
    }
    changed = true;
    i--;
  }
  return changed ? { graph: { ...graph, nodes }, changed } : { graph, changed };
}
