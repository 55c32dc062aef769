import type { Graph, Node } from '../types.js';

/** Every pass returns a new graph and whether it changed anything, so passes can be run to a fixpoint. */
export interface PassResult {
  readonly graph: Graph;
  readonly changed: boolean;
}

export type Pass = (graph: Graph) => PassResult;

/** Runs passes in order, repeating the sequence until none changes the graph (at most `maxRounds`). */
export function runPasses(graph: Graph, passes: readonly Pass[], maxRounds = 10): PassResult {
  let current = graph;
  let changedAtAll = false;
  for (let round = 0; round < maxRounds; round++) {
    let changed = false;
    for (const pass of passes) {
      const result = pass(current);
      current = result.graph;
      changed ||= result.changed;
    }
    if (!changed) break;
    changedAtAll = true;
  }
  return { graph: current, changed: changedAtAll };
}

/** The node with every use of value `from` pointing to `to` instead. */
export function replaceInputs(node: Node, from: string, to: string): Node {
  if (!node.inputs.includes(from)) return node;
  return { ...node, inputs: node.inputs.map((i) => (i === from ? to : i)) };
}
