import { attr } from './attributes.js';
import { InferenceContext } from './inference.js';
import { NameAllocator, snakeCase } from './naming.js';
import { constantNodeValue } from './ops/constant.js';
import { SHAPE_RULES } from './ops/shape-rules.js';
import { DEFAULT_OPSET_VERSION, MIN_OPSET_VERSION } from './opset.js';
import { isStaticDim } from './shape.js';
import type { Attributes, DataType, Graph, Initializer, Node, Shape, TensorData, TensorType, Value } from './types.js';

/**
 * A graph's name, doc string and opset (default 17).
 *
 * @example
 * ```ts
 * import type { GraphBuilderOptions } from 'nin-sdk/train';
 * const options: GraphBuilderOptions = { name: 'loss', opsetVersion: 17 };
 * ```
 */
export interface GraphBuilderOptions {
  readonly name?: string;
  readonly docString?: string;
  /**
   * The opset the nodes are written for. It decides the form of some ops
   * (ReduceMean's axes are an attribute before 18, an input from 18 on) and
   * must match the opset given to `writeOnnx`, which checks it. Default 17.
   */
  readonly opsetVersion?: number;
}

/**
 * A node's name, and its outputs' types where shape inference cannot give them.
 *
 * @example
 * ```ts
 * import type { GraphBuilder, NodeOptions, Value } from 'nin-sdk/train';
 * declare const g: GraphBuilder;
 * declare const x: Value;
 * const options: NodeOptions = { name: 'relu' };
 * const y = g.addNode('Relu', [x], {}, options);
 * ```
 */
export interface NodeOptions {
  /** Name hint for the node and its output; made unique if taken. */
  readonly name?: string;
  /** Output types for ops that have no shape rule here (custom or rare ops). */
  readonly outputTypes?: readonly TensorType[];
}

interface MutableNode {
  readonly opType: string;
  readonly name: string;
  inputs: string[];
  outputs: Value[];
  readonly attributes: Attributes;
}

/**
 * Builds a graph one value at a time, inferring each value's dtype and shape
 * as it is made, so a wrong channel count fails at the line that caused it.
 *
 * @example
 * ```ts
 * import type { GraphBuilder, Value } from 'nin-sdk/train';
 * // What a LossBlock's attach() is given, with the model's prediction: it adds its nodes to the training graph.
 * declare const g: GraphBuilder;
 * declare const prediction: Value;
 * const relu = g.addNode('Relu', [prediction], {}, { name: 'loss.relu' });
 * console.log(relu.dtype, relu.shape); // inferred as the node is added
 * ```
 */
export class GraphBuilder {
  readonly opsetVersion: number;
  private readonly graphName: string;
  private readonly docString: string;
  private readonly names = new NameAllocator();
  private readonly inputs: Value[] = [];
  private readonly outputs: Value[] = [];
  private readonly initializers: Initializer[] = [];
  private readonly nodes: MutableNode[] = [];
  /** Current definition of every value by name. */
  private readonly values = new Map<string, Value>();
  /** Values known at build time (initializers and Constant outputs), for rules such as Reshape's. */
  private readonly constants = new Map<string, TensorData>();
  /** Old name → new name, for values that `output()` renamed after the caller got hold of them. */
  private readonly renamed = new Map<string, string>();
  private readonly owned = new WeakSet<Value>();

  constructor(options: GraphBuilderOptions = {}) {
    this.graphName = options.name ?? 'graph';
    this.docString = options.docString ?? '';
    this.opsetVersion = options.opsetVersion ?? DEFAULT_OPSET_VERSION;
    if (!Number.isInteger(this.opsetVersion) || this.opsetVersion < MIN_OPSET_VERSION) {
      throw new Error(`GraphBuilder: opsetVersion must be an integer ≥ ${MIN_OPSET_VERSION}, got ${this.opsetVersion}`);
    }
  }

  input(name: string, dtype: DataType, shape: Shape): Value {
    for (const d of shape) {
      if (isStaticDim(d) ? !Number.isSafeInteger(d) || d < 0 : d === '') {
        throw new Error(
          `input: dims of "${name}" must be non-negative integers or non-empty symbols, got [${shape.join(',')}]`,
        );
      }
    }
    const value = this.define({ name: this.names.claim(name, 'input'), dtype, shape: [...shape] });
    this.inputs.push(value);
    return value;
  }

  initializer(name: string, tensor: TensorData): Value {
    const value = this.define({
      name: this.names.claim(name, 'initializer'),
      dtype: tensor.dtype,
      shape: [...tensor.dims],
    });
    this.initializers.push({ name: value.name, tensor });
    this.constants.set(value.name, tensor);
    return value;
  }

  /** A Constant node: for small tensors that belong to the graph's logic (shapes, axes), not weights. */
  constant(tensor: TensorData, name?: string): Value {
    return this.addNode('Constant', [], { value: attr.tensor(tensor) }, name === undefined ? {} : { name });
  }

  /** The contents of a value when known at build time (initializer or Constant), else undefined. */
  constantValue(value: Value): TensorData | undefined {
    return this.constants.get(this.resolve(value, 'constantValue'));
  }

  /**
   * Marks `value` as a graph output called `name` (default: its own name).
   * A value computed by a node is renamed in place, so the graph gets no
   * extra node; a graph input, an initializer or a value that is already an
   * output gets an Identity node instead. Earlier handles on a renamed value
   * keep working.
   */
  output(value: Value, name?: string): Value {
    const current = this.values.get(this.resolve(value, 'output'))!;
    const wanted = name ?? current.name;
    const isOutput = this.outputs.some((o) => o.name === current.name);
    if (wanted === current.name && !isOutput) {
      this.outputs.push(current);
      return current;
    }
    const producer = this.nodes.find((n) => n.outputs.some((o) => o.name === current.name));
    if (producer !== undefined && !isOutput && producer.opType !== 'Constant') {
      const renamedValue = this.define({ ...current, name: this.names.claim(wanted, 'output') });
      producer.outputs = producer.outputs.map((o) => (o.name === current.name ? renamedValue : o));
      for (const node of this.nodes) node.inputs = node.inputs.map((i) => (i === current.name ? renamedValue.name : i));
      this.values.delete(current.name);
      this.renamed.set(current.name, renamedValue.name);
      this.outputs.push(renamedValue);
      return renamedValue;
    }
    this.names.claim(wanted, 'output');
    const node: MutableNode = {
      opType: 'Identity',
      name: this.names.next('identity'),
      inputs: [current.name],
      outputs: [],
      attributes: {},
    };
    const out = this.define({ ...current, name: wanted });
    node.outputs = [out];
    this.nodes.push(node);
    this.outputs.push(out);
    return out;
  }

  /** Appends a single-output node, inferring its output type. Op functions are thin wrappers over this. */
  addNode(
    opType: string,
    inputs: readonly (Value | undefined)[],
    attributes: Attributes = {},
    options: NodeOptions = {},
  ): Value {
    return this.addNodeWithOutputs(opType, inputs, attributes, 1, options)[0]!;
  }

  addNodeWithOutputs(
    opType: string,
    inputs: readonly (Value | undefined)[],
    attributes: Attributes,
    outputCount: number,
    options: NodeOptions = {},
  ): Value[] {
    const inputNames = inputs.map((v) => (v === undefined ? '' : this.resolve(v, opType)));
    // Trailing omitted inputs are dropped, as ONNX expects; inner ones stay as ''.
    while (inputNames.length > 0 && inputNames[inputNames.length - 1] === '') inputNames.pop();
    const mark = this.names.mark();
    const nodeName =
      options.name === undefined ? this.names.next(snakeCase(opType)) : this.names.preferred(options.name);
    const outputNames =
      outputCount === 1
        ? [nodeName]
        : Array.from({ length: outputCount }, (_, i) => this.names.preferred(`${nodeName}_out${i}`));
    let types: readonly TensorType[];
    try {
      types = options.outputTypes ?? this.infer(opType, inputNames, attributes, nodeName, outputCount);
      if (types.length !== outputCount)
        throw new Error(`addNode: ${opType} gives ${types.length} outputs, ${outputCount} expected`);
    } catch (error) {
      this.names.rollback(mark);
      throw error;
    }
    const outputs = types.map((t, i) => this.define({ name: outputNames[i]!, dtype: t.dtype, shape: [...t.shape] }));
    this.nodes.push({ opType, name: nodeName, inputs: inputNames, outputs, attributes });
    const constant = opType === 'Constant' ? constantNodeValue(attributes) : undefined;
    if (constant !== undefined) this.constants.set(outputs[0]!.name, constant);
    return outputs;
  }

  /**
   * Runs `build` and, if it throws, removes every node it added. Op functions
   * that add helper Constants (reshape's shape, slice's starts …) use it, so
   * a rejected op leaves no stray nodes behind.
   */
  atomically<T>(build: () => T): T {
    const nodeCount = this.nodes.length;
    const mark = this.names.mark();
    try {
      return build();
    } catch (error) {
      for (const node of this.nodes.splice(nodeCount)) {
        for (const v of node.outputs) {
          this.values.delete(v.name);
          this.constants.delete(v.name);
        }
      }
      this.names.rollback(mark);
      throw error;
    }
  }

  build(): Graph {
    const nodes: Node[] = this.nodes.map((n) => ({
      opType: n.opType,
      name: n.name,
      inputs: [...n.inputs],
      outputs: [...n.outputs],
      attributes: n.attributes,
    }));
    return {
      name: this.graphName,
      opsetVersion: this.opsetVersion,
      docString: this.docString,
      inputs: [...this.inputs],
      outputs: [...this.outputs],
      initializers: [...this.initializers],
      nodes,
    };
  }

  private infer(
    opType: string,
    inputNames: readonly string[],
    attributes: Attributes,
    nodeName: string,
    outputCount: number,
  ): readonly TensorType[] {
    const rule = SHAPE_RULES[opType];
    if (rule === undefined) {
      throw new Error(`addNode: no shape rule for ${opType}; pass outputTypes to add it anyway`);
    }
    const types = inputNames.map((n) => (n === '' ? undefined : this.values.get(n)));
    const constants = inputNames.map((n) => (n === '' ? undefined : this.constants.get(n)));
    return rule(new InferenceContext(opType, types, attributes, nodeName, outputCount, constants));
  }

  private define(value: Value): Value {
    const frozen: Value = { name: value.name, dtype: value.dtype, shape: value.shape };
    this.values.set(frozen.name, frozen);
    this.owned.add(frozen);
    return frozen;
  }

  /** The current name of a value made by this builder, following renames. */
  private resolve(value: Value, what: string): string {
    if (!this.owned.has(value)) {
      throw new Error(`${what}: value "${value.name}" does not belong to this graph builder`);
    }
    let name = value.name;
    for (let next = this.renamed.get(name); next !== undefined; next = this.renamed.get(name)) name = next;
    return name;
  }
}
