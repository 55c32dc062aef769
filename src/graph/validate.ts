import { AXES_AS_INPUT_SINCE } from './ops/reduce.js';
import type { Graph } from './types.js';

/**
 * Checks what ONNX Runtime would otherwise report late and vaguely: names
 * defined once, every input defined before use, graph outputs defined, and
 * ops written in the form the target opset expects. Throws on the first problem.
 */
export function validateGraph(graph: Graph, opsetVersion = graph.opsetVersion): void {
  const defined = new Set<string>();
  const define = (name: string, what: string): void => {
    if (defined.has(name)) throw new Error(`validateGraph: ${what} "${name}" is defined more than once`);
    defined.add(name);
  };
  for (const v of graph.inputs) define(v.name, 'input');
  for (const i of graph.initializers) define(i.name, 'initializer');
  for (const node of graph.nodes) {
    for (const input of node.inputs) {
      if (input !== '' && !defined.has(input)) {
        throw new Error(
          `validateGraph: node ${node.name} (${node.opType}) reads "${input}", which is not defined before it`,
        );
      }
    }
    checkOpsetForm(node.opType, node.name, node.inputs, 'axes' in node.attributes, opsetVersion);
    for (const v of node.outputs) define(v.name, `output of node ${node.name}`);
  }
  for (const v of graph.outputs) {
    if (!defined.has(v.name)) throw new Error(`validateGraph: graph output "${v.name}" is not computed by the graph`);
  }
}

function checkOpsetForm(
  opType: string,
  name: string,
  inputs: readonly string[],
  hasAxesAttribute: boolean,
  opsetVersion: number,
): void {
  const since = AXES_AS_INPUT_SINCE[opType];
  if (since === undefined) return;
  const hasAxesInput = inputs.length > 1 && inputs[1] !== '';
  if (opsetVersion >= since && hasAxesAttribute) {
    throw new Error(
      `validateGraph: ${opType} node ${name} has an axes attribute, but from opset ${since} axes are an input (writing opset ${opsetVersion})`,
    );
  }
  if (opsetVersion < since && hasAxesInput) {
    throw new Error(
      `validateGraph: ${opType} node ${name} has axes as an input, which needs opset ≥ ${since} (writing opset ${opsetVersion})`,
    );
  }
}
