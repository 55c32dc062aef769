import type { Graph, Value } from '../graph/index.js';

/**
 * The float32 graph with the tensors to calibrate added as graph outputs, so that one ONNX Runtime run gives
 * every range. Values that are already outputs or inputs are read as they are.
 */
export function withObservedOutputs(graph: Graph, names: readonly string[]): Graph {
  const types = new Map<string, Value>();
  for (const v of graph.inputs) types.set(v.name, v);
  for (const node of graph.nodes) for (const v of node.outputs) types.set(v.name, v);
  const present = new Set([...graph.outputs, ...graph.inputs].map((v) => v.name));
  const extra = names
    .filter((name) => !present.has(name))
    .map((name) => {
      const value = types.get(name);
      if (value === undefined) throw new Error(`calibration: the graph computes no tensor named ${name}`);
      return value;
    });
  return { ...graph, outputs: [...graph.outputs, ...extra] };
}
