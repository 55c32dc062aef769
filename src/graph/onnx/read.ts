import type { GraphProto, ModelProto } from 'onnx-buf';
import { InferenceContext } from '../inference.js';
import { constantNodeValue } from '../ops/constant.js';
import { SHAPE_RULES } from '../ops/shape-rules.js';
import { MIN_OPSET_VERSION } from '../opset.js';
import type { Attribute, Graph, Initializer, Node, TensorData, TensorType, Value } from '../types.js';
import { decodeOnnx } from './decode.js';
import { readOnnxMetadata, type OnnxModelInfo } from './read-metadata.js';
import { attributeFromProto, tensorFromProto, valueFromProto } from './from-proto.js';

export { readOnnxMetadata, type OnnxModelInfo } from './read-metadata.js';

export interface OnnxModel extends OnnxModelInfo {
  readonly graph: Graph;
}

/**
 * Reads an ONNX model into the IR. Every node is re-typed with the same shape
 * rules the builder uses, so a model written by this project reads back equal
 * to the graph it came from; ops without a rule here are refused by name
 * unless the file carries value_info for their outputs.
 */
export function readOnnx(bytes: Uint8Array): OnnxModel {
  return readOnnxProto(decode(bytes));
}

/** readOnnx of a model already decoded (a CheckedModel's, say), so that its bytes are not decoded twice. */
export function readOnnxProto(model: ModelProto): OnnxModel {
  if (model.graph === undefined) throw new Error('readOnnx: the model has no graph');
  const info = readOnnxMetadata(model);
  if (info.opsetVersion < MIN_OPSET_VERSION) {
    throw new Error(
      `readOnnx: the model uses opset ${info.opsetVersion}; this IR reads opset ${MIN_OPSET_VERSION} and later`,
    );
  }
  return { ...info, graph: graphFromProto(model.graph, info.opsetVersion) };
}

function decode(bytes: Uint8Array): ModelProto {
  try {
    return decodeOnnx(bytes);
  } catch (error) {
    throw new Error(`readOnnx: not a valid ONNX model (${(error as Error).message})`);
  }
}

function graphFromProto(proto: GraphProto, opsetVersion: number): Graph {
  const initializers: Initializer[] = proto.initializer.map((t) => ({
    name: t.name,
    tensor: tensorFromProto(t, `initializer ${t.name}`),
  }));
  const types = new Map<string, TensorType>();
  const constants = new Map<string, TensorData>();
  for (const init of initializers) {
    types.set(init.name, { dtype: init.tensor.dtype, shape: [...init.tensor.dims] });
    constants.set(init.name, init.tensor);
  }
  // Before IR 4, initializers were also listed as inputs; they are not inputs here.
  const inputs = proto.input.filter((i) => !constants.has(i.name)).map(valueFromProto);
  for (const v of inputs) types.set(v.name, v);
  // Types the file states, for ops without a shape rule here.
  const declared = new Map<string, Value>(
    [...proto.valueInfo, ...proto.output].map((v) => [v.name, valueFromProto(v)]),
  );

  const nodes: Node[] = proto.node.map((n, index) => {
    const label = `node ${n.name || index} (${n.opType})`;
    if (n.domain !== '' && n.domain !== 'ai.onnx')
      throw new Error(`readOnnx: ${label} is in domain ${n.domain}, which this IR does not support`);
    const attributes: Record<string, Attribute> = {};
    for (const a of n.attribute) attributes[a.name] = attributeFromProto(a, `attribute ${a.name} of ${label}`);
    const inputTypes = n.input.map((name) => {
      if (name === '') return undefined;
      const type = types.get(name);
      if (type === undefined) throw new Error(`readOnnx: ${label} reads "${name}", which is not defined before it`);
      return type;
    });
    const outputs = outputValues(
      n.opType,
      label,
      n.name || (n.output[0] ?? ''),
      inputTypes,
      attributes,
      n.output,
      n.input.map((i) => constants.get(i)),
      declared,
    );
    for (const v of outputs) types.set(v.name, v);
    const constant = n.opType === 'Constant' ? constantNodeValue(attributes) : undefined;
    if (constant !== undefined && outputs[0] !== undefined) constants.set(outputs[0].name, constant);
    return { opType: n.opType, name: n.name, inputs: [...n.input], outputs, attributes };
  });

  return {
    name: proto.name,
    opsetVersion,
    docString: proto.docString,
    inputs,
    outputs: proto.output.map(valueFromProto),
    initializers,
    nodes,
  };
}

function outputValues(
  opType: string,
  label: string,
  nodeName: string,
  inputTypes: readonly (TensorType | undefined)[],
  attributes: Record<string, Attribute>,
  outputNames: readonly string[],
  constants: readonly (TensorData | undefined)[],
  declared: ReadonlyMap<string, Value>,
): Value[] {
  const rule = SHAPE_RULES[opType];
  if (rule !== undefined) {
    const types = rule(new InferenceContext(opType, inputTypes, attributes, nodeName, outputNames.length, constants));
    if (types.length < outputNames.length)
      throw new Error(`readOnnx: ${label} has ${outputNames.length} outputs, the op gives ${types.length}`);
    return outputNames.map((name, i) => ({ name, dtype: types[i]!.dtype, shape: [...types[i]!.shape] }));
  }
  return outputNames.map((name) => {
    const v = declared.get(name);
    if (v === undefined)
      throw new Error(
        `readOnnx: ${label} is an op this IR has no shape rule for, and its output ${name} has no value_info`,
      );
    return v;
  });
}
