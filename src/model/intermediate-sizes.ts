import { TensorProto_DataType, type GraphProto, type NodeProto, type TensorProto } from 'onnx-buf';
import {
  dataTypeFromOnnxCode,
  InferenceContext,
  constantNodeValue,
  SHAPE_RULES,
  attributeFromProto,
  tensorFromProto,
  type Attribute,
  type Dim,
  type TensorData,
  type TensorType,
} from '../graph/index.js';
import { ModelError } from './model-error.js';

/** How many times the largest input (one image) or initializer an intermediate tensor may hold. */
export const INTERMEDIATE_SIZE_FACTOR = 64;

/**
 * The ops that can make a tensor larger than any of their inputs from a few bytes of constants: a model may use them
 * only where the size they make is known before it runs (their shape, repeats, scales or pads constant).
 */
const AMPLIFIERS: ReadonlySet<string> = new Set([
  'ConstantOfShape',
  'Expand',
  'Pad',
  'Tile',
  'Resize',
  'Upsample',
  'Range',
]);

/** Ops whose output has its first input's type: activations and normalisations. */
const SAME_TYPE: ReadonlySet<string> = new Set([
  'Abs', 'BatchNormalization', 'Clip', 'Dropout', 'Elu', 'Erf', 'HardSigmoid', 'HardSwish', 'InstanceNormalization',
  'LeakyRelu', 'LogSoftmax', 'LRN', 'PRelu', 'Reciprocal', 'Selu', 'Sigmoid', 'Softplus', 'Tanh',
]); // prettier-ignore

/** Integer constants up to this many elements are read as values (shapes, axes, pads); larger ones are weights. */
const MAX_CONSTANT_ELEMENTS = 64;

/**
 * Refuses a graph whose intermediate tensors, as far as their shapes follow from the input's and from constants,
 * would hold more than INTERMEDIATE_SIZE_FACTOR times the elements of one input image or of the largest initializer
 * (dims the graph leaves symbolic, such as the batch, count as 1), and a graph in which an amplifying op
 * (ConstantOfShape, Expand, Tile, Resize, Upsample, Range, Pad) makes a tensor whose size is not known that way:
 * before ONNX Runtime allocates it. A NIN model of 3.9 MB may then hold at most 59 M elements in one tensor where
 * it needs 0.2 M; without the bound, four added nodes made a 125 M-element tensor on every run (1 GB).
 * Shapes come from the IR's own rules (SHAPE_RULES), those the builder and the ONNX reader use.
 */
export function checkIntermediateSizes(graph: GraphProto | undefined, source: string): void {
  if (graph !== undefined) walkIntermediateTypes(graph, source);
}

/**
 * The type of each value in `graph` as far as it follows from the input's shape and from constants (the input's
 * symbolic dims under names of this module's own), by the same rules checkIntermediateSizes checks with: what
 * src/model/class-maps.ts reads a map's size from. Values whose type does not follow are absent.
 */
export function intermediateTypes(graph: GraphProto): ReadonlyMap<string, TensorType> {
  return walkIntermediateTypes(graph, undefined);
}

/** Types every value it can; with a `source`, refuses what checkIntermediateSizes refuses, naming it. */
function walkIntermediateTypes(graph: GraphProto, source: string | undefined): Map<string, TensorType> {
  const types = new Map<string, TensorType>();
  const constants = new Map<string, TensorData>();
  const inputDims = new Set<string>();
  /** The file's dim_param → this check's name for it (the same param, the same dim, as the shape rules expect). */
  const inputDimNames = new Map<string, string>();
  const inputDimName = (param: string): string => {
    let name = inputDimNames.get(param);
    if (name === undefined) {
      name = `\u0000input${inputDimNames.size}`;
      inputDimNames.set(param, name);
    }
    return name;
  };
  let anonymousDims = 0;
  let largest = 1;
  for (const t of graph.initializer) {
    const dims = t.dims.map(Number);
    largest = Math.max(
      largest,
      dims.reduce((a, b) => a * b, 1),
    );
    const dtype = dataTypeFromOnnxCode(t.dataType);
    if (dtype !== undefined) types.set(t.name, { dtype, shape: dims });
    const constant = smallIntegerConstant(t);
    if (constant !== undefined) constants.set(t.name, constant);
  }
  for (const input of graph.input) {
    if (types.has(input.name)) continue; // IR < 4 lists initializers among the inputs
    const type = input.type?.value;
    if (type?.case !== 'tensorType') continue;
    const dtype = dataTypeFromOnnxCode(type.value.elemType);
    // The input's symbolic dims get names of this check's own, never the file's: a node's fresh dims (named from
    // its position, below) then cannot pass for an input's dim, whatever the file calls its dims.
    const shape: Dim[] = (type.value.shape?.dim ?? []).map((d) => {
      if (d.value.case === 'dimValue') return Number(d.value.value);
      if (d.value.case === 'dimParam' && d.value.value !== '') return inputDimName(d.value.value);
      return `\u0000anonymous${anonymousDims++}`;
    });
    shape.forEach((d) => typeof d === 'string' && inputDims.add(d));
    largest = Math.max(largest, perInputCount(shape, inputDims) ?? 1);
    if (dtype !== undefined) types.set(input.name, { dtype, shape });
  }
  const bound = INTERMEDIATE_SIZE_FACTOR * largest;
  graph.node.forEach((node, index) => {
    const label = `node ${JSON.stringify(node.name || String(index))} (${node.opType})`;
    const outputs = outputTypes(node, `\u0001node${index}`, types, constants);
    node.output.forEach((name, i) => {
      const type = outputs?.[i];
      const count = type === undefined ? undefined : perInputCount(type.shape, inputDims);
      if (source !== undefined && count !== undefined && count > bound) {
        throw new ModelError(
          `${source}: ${label} makes ${name} of ${count} elements, more than ${INTERMEDIATE_SIZE_FACTOR} times the ` +
            `model's input or largest weight (${bound}); nin-sdk refuses models that allocate more than an image classifier needs`,
        );
      }
      if (source !== undefined && count === undefined && AMPLIFIERS.has(node.opType)) {
        throw new ModelError(
          `${source}: ${label} makes ${name} of a size that is computed only when the model runs; nin-sdk takes ` +
            `${node.opType} only with a constant shape, so that what it allocates is known before it runs`,
        );
      }
      if (type !== undefined) types.set(name, type);
    });
    if (node.opType === 'Constant' && node.output[0] !== undefined) {
      const value = constantOf(node);
      if (value !== undefined && value.dims.reduce((a, b) => a * b, 1) <= MAX_CONSTANT_ELEMENTS)
        constants.set(node.output[0], value);
    }
  });
  return types;
}

/** Elements of one input's worth: numeric dims multiplied, the input's own symbolic dims (the batch) as 1. */
function perInputCount(shape: readonly Dim[], inputDims: ReadonlySet<string>): number | undefined {
  let count = 1;
  for (const d of shape) {
    if (typeof d === 'number') count *= d;
    else if (!inputDims.has(d)) return undefined;
  }
  return count;
}

/** The output types of a node as far as they follow from its input types and constants; undefined if they do not. */
function outputTypes(
  node: NodeProto,
  /** The name the rules make fresh dims from: the node's position, so that no file can choose it. */
  nodeName: string,
  types: ReadonlyMap<string, TensorType>,
  constants: ReadonlyMap<string, TensorData>,
): readonly TensorType[] | undefined {
  const inputs = node.input.map((name) => (name === '' ? undefined : types.get(name)));
  if (node.input.some((name, i) => name !== '' && inputs[i] === undefined)) return undefined;
  if (SAME_TYPE.has(node.opType)) return inputs[0] === undefined ? undefined : [inputs[0]];
  try {
    const attributes: Record<string, Attribute> = {};
    for (const a of node.attribute) attributes[a.name] = attributeFromProto(a, `attribute ${a.name}`);
    const inputConstants = node.input.map((name) => constants.get(name));
    if (node.opType === 'ConstantOfShape') return constantOfShape(inputConstants[0], attributes);
    const rule = SHAPE_RULES[node.opType];
    if (rule === undefined) return undefined;
    const context = new InferenceContext(node.opType, inputs, attributes, nodeName, node.output.length, inputConstants);
    return rule(context);
  } catch {
    // What the rules cannot type (an attribute of a type the IR lacks, a shape they refuse) is left unknown:
    // ONNX Runtime refuses what is malformed, and an amplifier left unknown is refused above.
    return undefined;
  }
}

/** ConstantOfShape's output: its dims are the values of its (constant) shape input. */
function constantOfShape(
  shape: TensorData | undefined,
  attributes: Readonly<Record<string, Attribute>>,
): readonly TensorType[] | undefined {
  if (shape === undefined || shape.dtype !== 'int64') return undefined;
  const value = attributes['value'];
  const dtype = value?.type === 'tensor' ? value.value.dtype : 'float32';
  return [{ dtype, shape: Array.from(shape.data, Number) }];
}

function constantOf(node: NodeProto): TensorData | undefined {
  try {
    const attributes: Record<string, Attribute> = {};
    for (const a of node.attribute) attributes[a.name] = attributeFromProto(a, `attribute ${a.name}`);
    return constantNodeValue(attributes);
  } catch {
    return undefined;
  }
}

/** An int64 or int32 initializer small enough to be a shape, axes or pads, as values; undefined otherwise. */
function smallIntegerConstant(t: TensorProto): TensorData | undefined {
  if (t.dataType !== TensorProto_DataType.INT64 && t.dataType !== TensorProto_DataType.INT32) return undefined;
  if (t.dims.reduce((a, b) => a * b, 1n) > BigInt(MAX_CONSTANT_ELEMENTS)) return undefined;
  try {
    return tensorFromProto(t, `initializer ${t.name}`);
  } catch {
    return undefined;
  }
}
