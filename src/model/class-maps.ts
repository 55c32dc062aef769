import type { AttributeProto, GraphProto, NodeProto } from 'onnx-buf';
import {
  attributeFromProto,
  tensorFromProto,
  constantNodeValue,
  type Attribute,
  type TensorType,
} from '../graph/index.js';
import { intermediateTypes } from './intermediate-sizes.js';

/**
 * Where a class map's cells lie in the model's input, per axis as [rows, columns], in input pixels (the
 * preprocessed inputSize × inputSize image): cell (i, j) sees rows offset[0] + i·stride[0] … + receptiveField[0] − 1
 * (clipped to the image) and likewise columns. Computed from the layers between the input and the map (kernels,
 * strides, dilations, leading pads), never assumed: the CIFAR-10 NIN's cells are 4 pixels apart and see 27.
 *
 * @example
 * ```ts
 * import { classify, type MapGeometry } from 'nin-sdk';
 * const { maps } = await classify('cat.jpg', { maps: true });
 * const geometry: MapGeometry | undefined = maps?.geometry;
 * // Cell (i, j) of the default model's 8 × 8 maps sees input rows and columns from offset + 4·(i, j), 27 wide.
 * console.log(geometry?.stride, geometry?.receptiveField, geometry?.offset); // [4, 4] [27, 27] [-13, -13]
 * ```
 */
export interface MapGeometry {
  /** Input pixels between neighbouring cells. */
  readonly stride: readonly [number, number];
  /** Input pixels one cell sees, before clipping at the image's edges. */
  readonly receptiveField: readonly [number, number];
  /** The first input pixel cell (0, 0) sees: negative where its field starts in the padding. */
  readonly offset: readonly [number, number];
}

/**
 * A graph's class maps: the value that global average pooling turns into the logits, and its geometry.
 *
 * @example
 * ```ts
 * import { readModelInfo } from 'nin-sdk';
 * import { readFileSync } from 'node:fs';
 * const maps = readModelInfo(readFileSync('nin.onnx'), 'nin.onnx').classMaps;
 * if (maps !== undefined) console.log(maps.value, maps.classes, maps.size);
 * ```
 */
export interface ClassMapsInGraph {
  /** The [N, classes, h, w] value whose spatial mean is each class's logit. */
  readonly value: string;
  readonly geometry: MapGeometry;
  /** The class count (the map's channels, the logits' columns). */
  readonly classes: number;
  /** h and w at the model's own input size. */
  readonly size: readonly [number, number];
}

/**
 * The NIN paper's category confidence maps in any graph of its pattern: logits = Flatten / Reshape / Squeeze of a
 * GlobalAveragePool, or of an AveragePool without padding whose kernel is the whole map, of a value computed from
 * the one image input by a chain of convolutions, pools and per-element ops. The logits are then each class's mean
 * over its map, exactly. Undefined where the graph has another shape (a Linear head, branches, an op whose spatial
 * effect is not known here): no map is offered rather than a wrong one.
 */
export function findClassMaps(graph: GraphProto, logits: string): ClassMapsInGraph | undefined {
  const producers = producerMap(graph);
  const types = intermediateTypes(graph);
  const pooled = findPooledMap(graph, logits, producers, types);
  const geometry = pooled === undefined ? undefined : mapGeometry(graph, pooled.value, producers, types);
  return pooled === undefined || geometry === undefined ? undefined : { ...pooled, geometry };
}

/**
 * The value whose spatial means are the logits (findClassMaps' pattern), without its geometry: a map can be the
 * logits' source and still have no geometry known here (a preprocessing graph in front of the model, say).
 */
export function findPooledMap(
  graph: GraphProto,
  logits: string,
  producers: ReadonlyMap<string, NodeProto> = producerMap(graph),
  types: ReadonlyMap<string, TensorType> = intermediateTypes(graph),
): Omit<ClassMapsInGraph, 'geometry'> | undefined {
  const flatten = producers.get(logits);
  if (flatten === undefined || !['Flatten', 'Reshape', 'Squeeze'].includes(flatten.opType)) return undefined;
  // Inferred, or as the graph declares it where a Reshape's shape is computed (`x.view(x.size(0), -1)`): a rank-2
  // reshape of [N, classes, 1, 1] whose second dim is the class count can only be [N, classes].
  const logitsShape = types.get(logits)?.shape ?? declaredShape(graph, logits);
  if (logitsShape?.length !== 2) return undefined;
  const pooled = flatten.input[0];
  const pool = pooled === undefined ? undefined : producers.get(pooled);
  const map = pool?.input[0];
  if (pool === undefined || map === undefined || !isDefaultDomain(pool)) return undefined;
  const mapType = types.get(map);
  const size = spatialSize(mapType);
  if (mapType === undefined || size === undefined || mapType.dtype !== 'float32') return undefined;
  const classes = mapType.shape[1];
  if (typeof classes !== 'number' || classes !== logitsShape[1]) return undefined;
  if (pool.opType === 'AveragePool') {
    const kernel = ints(pool, 'kernel_shape');
    const pads = ints(pool, 'pads') ?? [0, 0, 0, 0];
    if (kernel?.[0] !== size[0] || kernel[1] !== size[1] || pads.some((p) => p !== 0) || autoPadded(pool))
      return undefined;
  } else if (pool.opType !== 'GlobalAveragePool') return undefined;
  return { value: map, classes, size };
}

/** Ops that act on each element (or each position across channels) alone: a map's cells keep their fields. */
const PER_ELEMENT: ReadonlySet<string> = new Set([
  'Abs', 'Add', 'BatchNormalization', 'Cast', 'Clip', 'DequantizeLinear', 'Div', 'Dropout', 'Elu', 'Erf',
  'HardSigmoid', 'HardSwish', 'Identity', 'LeakyRelu', 'LRN', 'Max', 'Min', 'Mul', 'Neg', 'Pow', 'PRelu',
  'QuantizeLinear', 'Reciprocal', 'Relu', 'Selu', 'Sigmoid', 'Sign', 'Softplus', 'Sqrt', 'Sub', 'Sum', 'Tanh',
]); // prettier-ignore

interface WindowLayer {
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padBegin: readonly [number, number];
}

/**
 * The geometry of `value`'s cells, from the layers between it and the graph's input: walked back through
 * per-element ops (whose other inputs must be constants) and windowed ops (Conv, MaxPool, AveragePool), then
 * composed forward: the field grows by (kernel − 1)·jump, the offset moves back by pad·jump, the jump multiplies
 * by the stride. Undefined at anything else (a branch, a resize, an auto_pad).
 */
export function mapGeometry(
  graph: GraphProto,
  value: string,
  producers: ReadonlyMap<string, NodeProto> = producerMap(graph),
  types: ReadonlyMap<string, TensorType> = intermediateTypes(graph),
): MapGeometry | undefined {
  const constant = constantValues(graph);
  const inputs = new Set(graph.input.map((v) => v.name));
  const layers: WindowLayer[] = [];
  let name = value;
  for (let steps = 0; !inputs.has(name) || constant.has(name); steps++) {
    const node = producers.get(name);
    if (node === undefined || steps > graph.node.length || !isDefaultDomain(node)) return undefined;
    const variable = node.input.filter((input) => input !== '' && !constant.has(input));
    if (variable.length !== 1) return undefined;
    if (node.opType === 'Conv' || node.opType === 'MaxPool' || node.opType === 'AveragePool') {
      if (autoPadded(node) || node.input[0] !== variable[0]) return undefined;
      const layer = windowLayer(node, types);
      if (layer === undefined) return undefined;
      layers.unshift(layer);
    } else if (node.opType === 'Pad') {
      // torch.onnx writes AvgPool2d's padding as a Pad ahead of the AveragePool: a shift of the grid by its leading pads.
      const pads = constantInts(graph, producers, node.input[1] ?? '');
      if (node.input[0] !== variable[0] || pads?.length !== 8 || pads.some((p, i) => i % 4 < 2 && p !== 0))
        return undefined;
      layers.unshift({ kernel: [1, 1], stride: [1, 1], padBegin: [pads[2]!, pads[3]!] });
    } else if (!PER_ELEMENT.has(node.opType)) return undefined;
    name = variable[0]!;
  }
  let receptiveField = [1, 1];
  let offset = [0, 0];
  let jump = [1, 1];
  for (const layer of layers) {
    receptiveField = receptiveField.map((r, axis) => r + (layer.kernel[axis]! - 1) * jump[axis]!);
    offset = offset.map((o, axis) => o - layer.padBegin[axis]! * jump[axis]!);
    jump = jump.map((j, axis) => j * layer.stride[axis]!);
  }
  return {
    stride: [jump[0]!, jump[1]!],
    receptiveField: [receptiveField[0]!, receptiveField[1]!],
    offset: [offset[0]!, offset[1]!],
  };
}

/** A 2-D windowed node's effective kernel (dilation applied), strides and leading pads. */
function windowLayer(node: NodeProto, types: ReadonlyMap<string, TensorType>): WindowLayer | undefined {
  let kernel = ints(node, 'kernel_shape');
  if (kernel === undefined && node.opType === 'Conv') {
    const weight = types.get(node.input[1] ?? '')?.shape;
    const k = weight?.slice(2);
    if (k?.length === 2 && k.every((d) => typeof d === 'number')) kernel = k as number[];
  }
  if (kernel?.length !== 2) return undefined;
  const strides = ints(node, 'strides') ?? [1, 1];
  const dilations = ints(node, 'dilations') ?? [1, 1];
  const pads = ints(node, 'pads') ?? [0, 0, 0, 0];
  if (strides.length !== 2 || dilations.length !== 2 || pads.length !== 4) return undefined;
  return {
    kernel: [dilations[0]! * (kernel[0]! - 1) + 1, dilations[1]! * (kernel[1]! - 1) + 1],
    stride: [strides[0]!, strides[1]!],
    padBegin: [pads[0]!, pads[1]!],
  };
}

/** An integer initializer's or Constant's values (a Pad's pads); undefined for anything else. */
function constantInts(
  graph: GraphProto,
  producers: ReadonlyMap<string, NodeProto>,
  name: string,
): number[] | undefined {
  try {
    const initializer = graph.initializer.find((t) => t.name === name);
    const node = producers.get(name);
    let value;
    if (initializer !== undefined) value = tensorFromProto(initializer, name);
    else if (node?.opType === 'Constant') {
      const attributes: Record<string, Attribute> = {};
      for (const a of node.attribute) attributes[a.name] = attributeFromProto(a, a.name);
      value = constantNodeValue(attributes);
    }
    if (value?.dtype !== 'int64' && value?.dtype !== 'int32') return undefined;
    return Array.from(value.data as ArrayLike<number | bigint>, Number);
  } catch {
    return undefined;
  }
}

/** Values known before the model runs: initializers, Constant outputs, and what nodes make from those alone. */
function constantValues(graph: GraphProto): Set<string> {
  const constant = new Set(graph.initializer.map((t) => t.name));
  const inputs = new Set(graph.input.map((v) => v.name).filter((n) => !constant.has(n)));
  for (const node of graph.node) {
    if (node.input.every((i) => i === '' || (constant.has(i) && !inputs.has(i))))
      node.output.forEach((o) => constant.add(o));
  }
  return constant;
}

/** A graph output's declared dims: numbers where fixed, null where symbolic. */
function declaredShape(graph: GraphProto, name: string): (number | null)[] | undefined {
  const type = graph.output.find((o) => o.name === name)?.type?.value;
  if (type?.case !== 'tensorType' || type.value.shape === undefined) return undefined;
  return type.value.shape.dim.map((d) => (d.value.case === 'dimValue' ? Number(d.value.value) : null));
}

function producerMap(graph: GraphProto): Map<string, NodeProto> {
  const producers = new Map<string, NodeProto>();
  for (const node of graph.node) for (const output of node.output) producers.set(output, node);
  return producers;
}

function spatialSize(type: TensorType | undefined): [number, number] | undefined {
  const [, , h, w] = type?.shape ?? [];
  return type?.shape.length === 4 && typeof h === 'number' && typeof w === 'number' ? [h, w] : undefined;
}

function ints(node: NodeProto, name: string): number[] | undefined {
  const attribute: AttributeProto | undefined = node.attribute.find((a) => a.name === name);
  return attribute === undefined ? undefined : attribute.ints.map(Number);
}

function autoPadded(node: NodeProto): boolean {
  const autoPad = node.attribute.find((a) => a.name === 'auto_pad');
  return autoPad !== undefined && new TextDecoder().decode(autoPad.s) !== 'NOTSET' && autoPad.s.length > 0;
}

function isDefaultDomain(node: NodeProto): boolean {
  return node.domain === '' || node.domain === 'ai.onnx';
}
