import type { GraphBuilder, Node, TensorData, Value } from '../../graph/index.js';

/**
 * What a gradient rule sees of one forward node while the backward pass is
 * built: the node itself (op type, attributes) and its inputs and outputs as
 * values of the gradient graph, which holds a replay of the forward graph.
 */
export interface GradientContext {
  readonly g: GraphBuilder;
  readonly node: Node;
  input(index: number): Value;
  output(index: number): Value;
  /** The value of input `index` when it is known at build time (a Constant or initializer). */
  constantInput(index: number): TensorData | undefined;
  /** Whether the gradient of input `index` is wanted: only inputs that depend on a differentiated value get one. */
  needsGradient(index: number): boolean;
}

/**
 * One op's reverse-mode rule: given dLoss/dOutput0, the gradient for each
 * input (by index), `undefined` where none is needed. Every op a NIN uses has
 * a single output, so a rule receives exactly one output gradient.
 */
export type GradientRule = (ctx: GradientContext, dY: Value) => readonly (Value | undefined)[];

/** Thrown when a graph asks for a gradient that the rules cannot build in standard ONNX ops. */
export class GradientError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GradientError';
  }
}

/** An ints attribute of a forward node, or `fallback` when absent. */
export function intsAttribute(node: Node, name: string, fallback: readonly number[]): readonly number[] {
  const a = node.attributes[name];
  if (a === undefined) return fallback;
  if (a.type !== 'ints')
    throw new GradientError(`${node.opType} node ${node.name}: attribute ${name} must be ints, got ${a.type}`);
  return a.value;
}

export function intAttribute(node: Node, name: string, fallback: number): number {
  const a = node.attributes[name];
  if (a === undefined) return fallback;
  if (a.type !== 'int')
    throw new GradientError(`${node.opType} node ${node.name}: attribute ${name} must be an int, got ${a.type}`);
  return a.value;
}

/** A static dim, or a GradientError naming the node and what needed it. */
export function staticDim(node: Node, value: Value, axis: number, why: string): number {
  const d = value.shape[axis];
  if (typeof d !== 'number') {
    throw new GradientError(
      `${node.opType} node ${node.name}: axis ${axis} of ${value.name} must be static (${why}), got ${String(d)}`,
    );
  }
  return d;
}
