import type { Graph } from '../types.js';
import type { PassResult } from './pass.js';

/** Removes nodes none of whose outputs reach a graph output (e.g. a shape Constant left behind by a rewrite). */
export function eliminateDeadNodes(graph: Graph): PassResult {
  const needed = new Set(graph.outputs.map((v) => v.name));
  const live = new Array<boolean>(graph.nodes.length).fill(false);
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i]!;
    if (!node.outputs.some((v) => needed.has(v.name))) continue;
    live[i] = true;
    for (const input of node.inputs) if (input !== '') needed.add(input);
  }
  const nodes = graph.nodes.filter((_, i) => live[i]);
  return nodes.length === graph.nodes.length
    ? { graph, changed: false }
    : { graph: { ...graph, nodes }, changed: true };
}
