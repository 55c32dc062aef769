import { eliminateDeadNodes, GraphBuilder, ops, type Graph, type Node, type Value } from '../../graph/index.js';
import { planBackward } from './paths.js';
import { replayGraph } from './replay.js';
import { GradientError, type GradientContext } from './rule.js';
import { GRADIENT_RULES } from './rules.js';

/** Where back-propagation starts. */
export interface GradientSeed {
  /** A forward value, e.g. the logits. */
  readonly value: string;
  /**
   * A forward value holding dLoss/d(value), computed by the forward graph
   * itself. Seeding with an analytic gradient (softmax − labels for a
   * softmax cross-entropy) is both cheaper and more exact than differentiating
   * the loss expression op by op.
   */
  readonly gradient: string;
}

export interface GradientRequest {
  /** Forward values to differentiate with respect to: usually graph inputs (the parameters). */
  readonly wrt: readonly string[];
  readonly seed: GradientSeed;
  /** Graph output name of each gradient; default `<name>_grad`, as ONNX Runtime's training artifacts name them. */
  readonly gradientName?: (name: string) => string;
}

export interface GradientGraphOptions {
  readonly name?: string;
  /** The opset the forward graph was built for (default 17): it decides the form of the reductions added here. */
  readonly opsetVersion?: number;
}

/**
 * Forward graph → graph that computes the same outputs plus the gradient of
 * every `wrt` value, in standard ONNX ops (the rules in src/train/rules).
 * The forward graph is replayed node by node into a fresh builder, so its
 * values keep their names and types, then the rules run in reverse order.
 * Gradients of a value read by several nodes are summed.
 */
export function buildGradientGraph(
  forward: Graph,
  request: GradientRequest,
  options: GradientGraphOptions = {},
): Graph {
  const g = new GraphBuilder({
    name: options.name ?? `${forward.name}_gradient`,
    opsetVersion: options.opsetVersion ?? forward.opsetVersion,
  });
  const values = replayGraph(g, forward);
  const lookup = (name: string, why: string): Value => {
    const v = values.get(name);
    if (v === undefined)
      throw new GradientError(`buildGradientGraph: ${why} "${name}" is not a value of graph ${forward.name}`);
    return v;
  };
  for (const name of request.wrt) lookup(name, 'wrt value');
  lookup(request.seed.value, 'seed value');

  const plan = planBackward(forward, request.wrt, request.seed.value);
  const gradients = new GradientAccumulator(g);
  gradients.add(request.seed.value, lookup(request.seed.gradient, 'seed gradient'));
  for (let i = plan.nodes.length - 1; i >= 0; i--) {
    const node = plan.nodes[i]!;
    const dY = gradients.total(node.outputs[0]!.name, values.get(node.outputs[0]!.name)!);
    if (dY === undefined) continue;
    const rule = GRADIENT_RULES[node.opType];
    if (rule === undefined) {
      throw new GradientError(
        `no gradient rule for ${node.opType} (node ${node.name}); rules exist for ${Object.keys(GRADIENT_RULES).sort().join(', ')}`,
      );
    }
    const context = gradientContext(g, node, values, plan.dependsOnWrt);
    const inputGradients = rule(context, dY);
    node.inputs.forEach((input, k) => {
      const grad = inputGradients[k];
      if (grad !== undefined && context.needsGradient(k)) gradients.add(input, grad);
    });
  }

  const gradientName = request.gradientName ?? ((name: string) => `${name}_grad`);
  for (const name of request.wrt) {
    const grad = gradients.total(name, lookup(name, 'wrt value'));
    if (grad === undefined)
      throw new GradientError(`buildGradientGraph: ${request.seed.value} does not depend on "${name}"`);
    g.output(grad, gradientName(name));
  }
  return eliminateDeadNodes(g.build()).graph;
}

function gradientContext(
  g: GraphBuilder,
  node: Node,
  values: ReadonlyMap<string, Value>,
  dependsOnWrt: ReadonlySet<string>,
): GradientContext {
  const input = (index: number): Value => {
    const name = node.inputs[index];
    const v = name === undefined || name === '' ? undefined : values.get(name);
    if (v === undefined) throw new GradientError(`${node.opType} node ${node.name} has no input ${index}`);
    return v;
  };
  return {
    g,
    node,
    input,
    output: (index) => values.get(node.outputs[index]!.name)!,
    constantInput: (index) => g.constantValue(input(index)),
    needsGradient: (index) => dependsOnWrt.has(node.inputs[index] ?? ''),
  };
}

/**
 * Gradient contributions per forward value, summed with Add when a value feeds several nodes. A contribution may
 * come at a broadcastable smaller shape (ReduceSum's rule hands dY on unexpanded): the sum broadcasts it when a
 * full-size one meets it. A total still smaller than its value is refused: expanding it would need the value's
 * runtime shape, whose dims the rules after it could no longer check.
 */
class GradientAccumulator {
  private readonly parts = new Map<string, Value[]>();

  constructor(private readonly g: GraphBuilder) {}

  add(name: string, gradient: Value): void {
    const list = this.parts.get(name);
    if (list === undefined) this.parts.set(name, [gradient]);
    else list.push(gradient);
  }

  total(name: string, value: Value): Value | undefined {
    const list = this.parts.get(name);
    if (list === undefined || list.length === 0) return undefined;
    const sum = list.reduce((acc, v) => ops.add(this.g, acc, v));
    if (!sameShape(sum, value)) {
      throw new GradientError(
        `buildGradientGraph: the gradient of ${name} [${value.shape.join(',')}] only reaches it broadcast, at [${sum.shape.join(',')}]`,
      );
    }
    this.parts.set(name, [sum]);
    return sum;
  }
}

function sameShape(a: Value, b: Value): boolean {
  return a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
}
