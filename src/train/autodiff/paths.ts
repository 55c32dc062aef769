import type { Graph, Node } from '../../graph/index.js';

/**
 * The forward nodes that back-propagation must visit: those that read a value
 * depending on a differentiated one (`wrt`) and whose output leads to the
 * seed. Anything else gets no gradient nodes at all, so, for example, a
 * dropout mask or the labels never cost a backward op.
 */
export interface BackwardPlan {
  /** Values that depend on some `wrt` value (the `wrt` values included). */
  readonly dependsOnWrt: ReadonlySet<string>;
  /** Nodes to differentiate, in forward order. */
  readonly nodes: readonly Node[];
}

export function planBackward(graph: Graph, wrt: readonly string[], seed: string): BackwardPlan {
  const dependsOnWrt = new Set(wrt);
  for (const node of graph.nodes) {
    if (node.inputs.some((i) => dependsOnWrt.has(i))) for (const v of node.outputs) dependsOnWrt.add(v.name);
  }
  const leadsToSeed = new Set([seed]);
  const onPath: Node[] = [];
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i]!;
    if (!node.outputs.some((v) => leadsToSeed.has(v.name))) continue;
    for (const input of node.inputs) if (input !== '') leadsToSeed.add(input);
    if (node.inputs.some((input) => dependsOnWrt.has(input))) onPath.push(node);
  }
  return { dependsOnWrt, nodes: onPath.reverse() };
}
