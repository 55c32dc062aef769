import type { Graph } from '../types.js';
import type { PassResult } from './pass.js';

/** Drops initializers that no node reads and that are not graph outputs; run after {@link eliminateDeadNodes}. */
export function removeUnusedInitializers(graph: Graph): PassResult {
  const used = new Set<string>(graph.outputs.map((v) => v.name));
  for (const node of graph.nodes) for (const input of node.inputs) used.add(input);
  const initializers = graph.initializers.filter((i) => used.has(i.name));
  return initializers.length === graph.initializers.length
    ? { graph, changed: false }
    : { graph: { ...graph, initializers }, changed: true };
}
