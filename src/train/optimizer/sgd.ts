import { ops, type Graph } from '../../graph/index.js';
import type { ParameterSpec } from '../nin/architecture.js';
import { OptimizerGraph, stateName, updatedName } from './graph-io.js';

export const SGD_MOMENTUM_NAME = 'momentum';
/** PyTorch's state key for SGD's velocity. */
export const MOMENTUM_BUFFER = 'momentum_buffer';

export interface SgdGraphOptions {
  /** Nesterov momentum (PyTorch's nesterov=True); fixed when the graph is built. Default false. */
  readonly nesterov?: boolean;
  readonly opsetVersion?: number;
}

/**
 * One step of torch.optim.SGD with momentum (and dampening 0, PyTorch's
 * default and the recipe's), for every parameter:
 *   d = grad + weight_decay · param
 *   buf = momentum · buf + d
 *   param = param − lr · buf        (nesterov: − lr · (d + momentum · buf))
 * in PyTorch's order of operations. PyTorch starts the buffer as a copy of d
 * on the first step; feeding zeros gives exactly that (0 · momentum + d = d).
 *
 * Inputs: learning_rates [P], weight_decays [P], momentum [], and per
 * parameter `<p>`, `<p>_grad`, `<p>_momentum_buffer`. Outputs: `<p>_updated`,
 * `<p>_momentum_buffer_updated`.
 */
export function buildSgdGraph(parameters: readonly ParameterSpec[], options: SgdGraphOptions = {}): Graph {
  const graph = new OptimizerGraph('sgd_step', parameters, options.opsetVersion);
  const { g } = graph;
  const momentum = graph.scalar(SGD_MOMENTUM_NAME);
  graph.forEachParameter([MOMENTUM_BUFFER], ({ name, value, gradient, states, learningRate, weightDecay }) => {
    const direction = ops.add(g, gradient, ops.mul(g, value, weightDecay));
    const buffer = ops.add(g, ops.mul(g, states[MOMENTUM_BUFFER]!, momentum), direction);
    const step = options.nesterov === true ? ops.add(g, direction, ops.mul(g, buffer, momentum)) : buffer;
    g.output(ops.sub(g, value, ops.mul(g, step, learningRate)), updatedName(name));
    g.output(buffer, updatedName(stateName(name, MOMENTUM_BUFFER)));
  });
  return g.build();
}
