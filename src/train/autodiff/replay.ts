import type { Graph, GraphBuilder, Value } from '../../graph/index.js';

/**
 * Re-creates `graph` in `g`, values under their own names, and returns them by name. With `outputs` (the default)
 * the graph's outputs are claimed as outputs of `g` too, before anything else can take their names.
 */
export function replayGraph(g: GraphBuilder, graph: Graph, options: { outputs?: boolean } = {}): Map<string, Value> {
  const values = new Map<string, Value>();
  for (const input of graph.inputs) values.set(input.name, g.input(input.name, input.dtype, input.shape));
  for (const init of graph.initializers) values.set(init.name, g.initializer(init.name, init.tensor));
  for (const node of graph.nodes) {
    const inputs = node.inputs.map((name) => (name === '' ? undefined : values.get(name)));
    const outputs = g.addNodeWithOutputs(node.opType, inputs, node.attributes, node.outputs.length, {
      name: node.name,
    });
    node.outputs.forEach((v, i) => values.set(v.name, outputs[i]!));
  }
  if (options.outputs ?? true)
    for (const output of graph.outputs) values.set(output.name, g.output(values.get(output.name)!, output.name));
  return values;
}
