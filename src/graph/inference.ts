import { ShapeInferenceError, opFunctionName } from './errors.js';
import type { Attribute, Attributes, TensorData, TensorType } from './types.js';

/**
 * What a shape rule sees of one node: its input types, attributes and any
 * inputs whose values are known at build time (initializers, Constant nodes).
 * The same rules serve the builder, the ONNX reader and the passes, so a graph
 * read from a file gets exactly the types the builder gave it.
 */
export class InferenceContext {
  /** The builder-function name, used to start every error message. */
  readonly op: string;

  constructor(
    readonly opType: string,
    readonly inputs: readonly (TensorType | undefined)[],
    readonly attributes: Attributes,
    /** Names fresh dims; the node's name rather than its output's, because `output()` may rename the output later. */
    readonly nodeName: string,
    private readonly outputCount: number,
    private readonly constants: readonly (TensorData | undefined)[],
  ) {
    this.op = opFunctionName(opType);
  }

  fail(detail: string): never {
    throw new ShapeInferenceError(this.op, detail);
  }

  /** A required input; `role` names it in the error (e.g. "weight"). */
  input(index: number, role: string): TensorType {
    const type = this.inputs[index];
    if (type === undefined) this.fail(`missing ${role} (input ${index})`);
    return type;
  }

  optionalInput(index: number): TensorType | undefined {
    return this.inputs[index];
  }

  constantInput(index: number): TensorData | undefined {
    return this.constants[index];
  }

  /** A name for an output dim that cannot be computed at build time, unique per node, output and axis. */
  freshDim(axis: number, outputIndex = 0): string {
    return this.outputCount > 1 ? `${this.nodeName}_out${outputIndex}_d${axis}` : `${this.nodeName}_d${axis}`;
  }

  private attribute<T extends Attribute['type']>(name: string, type: T): Extract<Attribute, { type: T }> | undefined {
    const a = this.attributes[name];
    if (a === undefined) return undefined;
    if (a.type !== type) this.fail(`attribute ${name} must be ${type}, got ${a.type}`);
    return a as Extract<Attribute, { type: T }>;
  }

  int(name: string, fallback: number): number {
    return this.attribute(name, 'int')?.value ?? fallback;
  }

  optionalInts(name: string): readonly number[] | undefined {
    return this.attribute(name, 'ints')?.value;
  }

  ints(name: string, fallback: readonly number[]): readonly number[] {
    return this.optionalInts(name) ?? fallback;
  }

  string(name: string, fallback: string): string {
    return this.attribute(name, 'string')?.value ?? fallback;
  }

  optionalTensor(name: string): TensorData | undefined {
    return this.attribute(name, 'tensor')?.value;
  }

  has(name: string): boolean {
    return this.attributes[name] !== undefined;
  }
}

export type ShapeRule = (ctx: InferenceContext) => readonly TensorType[];
