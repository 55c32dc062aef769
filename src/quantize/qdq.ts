import {
  attr,
  type PassResult,
  tensorData,
  type Graph,
  type Initializer,
  type Node,
  type TensorData,
  type Value,
} from '../graph/index.js';
import {
  activationParameters,
  quantizeBias,
  quantizeWeightsPerChannel,
  type ActivationParameters,
  type ValueRange,
} from './parameters.js';
import { planQuantization, type QuantizationPlan } from './plan.js';

interface StoredParameters extends ActivationParameters {
  readonly scaleName: string;
  readonly zeroPointName: string;
}

/**
 * Rewrites a float32 graph into static QDQ form, in standard ONNX ops (QuantizeLinear / DequantizeLinear,
 * opset ≥ 13): the layout of {@link planQuantization}, with uint8 activations from the calibrated `ranges`
 * (min/max), int8 weights symmetric per output channel and int32 biases at input scale × weight scale.
 * Each quantized weight keeps its original name as the output of its DequantizeLinear, so the Convs themselves
 * are unchanged; ONNX Runtime folds each DQ → Conv → (Relu) → Q group into one QLinearConv when it loads the model.
 */
export function quantizeToQdq(
  graph: Graph,
  ranges: ReadonlyMap<string, ValueRange>,
  plan: QuantizationPlan = planQuantization(graph),
): PassResult {
  if (plan.convs.length === 0) return { graph, changed: false };
  const names = new NameSet(graph);
  const initializerByName = new Map(graph.initializers.map((i) => [i.name, i.tensor]));
  const replacedWeights = new Set<string>();
  const added: Initializer[] = [];
  const nodes: Node[] = [];
  const dequantized = new Map<string, string>();
  const stored = new Map<string, StoredParameters>();
  const convs = new Set(plan.convs);
  const windowAverages = new Set(plan.windowAverages);

  const parametersOf = (name: string): StoredParameters => {
    const source = plan.activations.get(name);
    if (source === undefined) throw new Error(`quantize: ${name} is not a quantized activation`);
    const root = source.kind === 'shared' ? source.with : name;
    const known = stored.get(root);
    if (known !== undefined) return known;
    const range = ranges.get(root);
    if (range === undefined) throw new Error(`quantize: no calibrated range for ${root}`);
    const parameters = activationParameters(range, root);
    const scaleName = names.unique(`${root}_scale`);
    const zeroPointName = names.unique(`${root}_zero_point`);
    added.push({ name: scaleName, tensor: tensorData('float32', [], Float32Array.of(parameters.scale)) });
    added.push({ name: zeroPointName, tensor: tensorData('uint8', [], Uint8Array.of(parameters.zeroPoint)) });
    const result = { ...parameters, scaleName, zeroPointName };
    stored.set(root, result);
    return result;
  };

  const quantizeActivation = (value: Value): void => {
    const p = parametersOf(value.name);
    const quantizedName = names.unique(`${value.name}_quantized`);
    const dequantizedName = names.unique(`${value.name}_dequantized`);
    nodes.push({
      opType: 'QuantizeLinear',
      name: names.unique(`${value.name}_quantize`),
      inputs: [value.name, p.scaleName, p.zeroPointName],
      outputs: [{ name: quantizedName, dtype: 'uint8', shape: value.shape }],
      attributes: {},
    });
    nodes.push({
      opType: 'DequantizeLinear',
      name: names.unique(`${value.name}_dequantize`),
      inputs: [quantizedName, p.scaleName, p.zeroPointName],
      outputs: [{ name: dequantizedName, dtype: 'float32', shape: value.shape }],
      attributes: {},
    });
    dequantized.set(value.name, dequantizedName);
  };

  /** A per-channel DequantizeLinear (axis 0) that recreates `name` from its integer form. */
  const dequantizeConstant = (name: string, data: TensorData, scales: Float32Array, zeroPoints: TensorData): void => {
    const quantizedName = names.unique(`${name}_quantized`);
    const scaleName = names.unique(`${name}_scale`);
    const zeroPointName = names.unique(`${name}_zero_point`);
    added.push({ name: quantizedName, tensor: data });
    added.push({ name: scaleName, tensor: tensorData('float32', [scales.length], scales) });
    added.push({ name: zeroPointName, tensor: zeroPoints });
    nodes.push({
      opType: 'DequantizeLinear',
      name: names.unique(`${name}_dequantize`),
      inputs: [quantizedName, scaleName, zeroPointName],
      outputs: [{ name, dtype: 'float32', shape: [...data.dims] }],
      attributes: { axis: attr.int(0) },
    });
    replacedWeights.add(name);
  };

  const quantizeConvWeights = (node: Node): void => {
    const [input, weightName, biasName] = node.inputs as [string, string, string | undefined];
    if (replacedWeights.has(weightName))
      throw new Error(`quantize: weight ${weightName} is shared by several Convs, which this pass does not support`);
    const weight = initializerByName.get(weightName);
    if (weight?.dtype !== 'float32')
      throw new Error(`quantize: Conv ${node.name} has weight ${weightName} that is not a float32 initializer`);
    const channels = weight.dims[0]!;
    const q = quantizeWeightsPerChannel(weight.data, channels);
    dequantizeConstant(
      weightName,
      tensorData('int8', weight.dims, q.data),
      q.scales,
      tensorData('int8', [channels], new Int8Array(channels)),
    );
    if (biasName === undefined || biasName === '') return;
    const bias = initializerByName.get(biasName);
    if (bias?.dtype !== 'float32')
      throw new Error(`quantize: Conv ${node.name} has bias ${biasName} that is not a float32 initializer`);
    const b = quantizeBias(bias.data, parametersOf(input).scale, q.scales, `bias ${biasName}`);
    dequantizeConstant(
      biasName,
      tensorData('int32', bias.dims, b.data),
      b.scales,
      tensorData('int32', [channels], new Int32Array(channels)),
    );
  };

  /**
   * The AveragePool as a depthwise Conv: every weight 127 in int8 at scale 1/(kernel area × 127), so each output
   * is its window's sum over the kernel area, as the pool's (the caller checked it divides by the area everywhere).
   */
  const windowAverageAsConv = (node: Node): Node => {
    const kernel = node.attributes['kernel_shape'];
    const channels = node.outputs[0]!.shape[1];
    if (kernel?.type !== 'ints' || typeof channels !== 'number')
      throw new Error(`quantize: AveragePool ${node.name} has no kernel_shape or no static channel count`);
    const area = kernel.value.reduce((a, b) => a * b, 1);
    const weightName = names.unique(`${node.name}_window`);
    const dims = [channels, 1, ...kernel.value];
    dequantizeConstant(
      weightName,
      tensorData('int8', dims, new Int8Array(channels * area).fill(127)),
      new Float32Array(channels).fill(1 / (area * 127)),
      tensorData('int8', [channels], new Int8Array(channels)),
    );
    const copied = ['kernel_shape', 'strides', 'pads'].filter((a) => node.attributes[a] !== undefined);
    return {
      opType: 'Conv',
      name: node.name,
      inputs: [node.inputs[0]!, weightName],
      outputs: node.outputs,
      attributes: {
        ...Object.fromEntries(copied.map((a) => [a, node.attributes[a]!])),
        group: attr.int(channels),
      },
    };
  };

  for (const v of graph.inputs) if (plan.activations.has(v.name)) quantizeActivation(v);
  for (const graphNode of graph.nodes) {
    if (graphNode.opType === 'Conv' && convs.has(graphNode.name)) quantizeConvWeights(graphNode);
    const node =
      graphNode.opType === 'AveragePool' && windowAverages.has(graphNode.name)
        ? windowAverageAsConv(graphNode)
        : graphNode;
    nodes.push({ ...node, inputs: node.inputs.map((i) => dequantized.get(i) ?? i) });
    for (const v of node.outputs) if (plan.activations.has(v.name)) quantizeActivation(v);
  }
  const initializers = [...graph.initializers.filter((i) => !replacedWeights.has(i.name)), ...added];
  return { graph: { ...graph, initializers, nodes }, changed: true };
}

/** Fresh names that collide with nothing in the graph. */
class NameSet {
  private readonly taken: Set<string>;

  constructor(graph: Graph) {
    this.taken = new Set([
      ...graph.inputs.map((v) => v.name),
      ...graph.initializers.map((i) => i.name),
      ...graph.nodes.flatMap((n) => [n.name, ...n.outputs.map((v) => v.name)]),
    ]);
  }

  unique(hint: string): string {
    let name = hint;
    for (let n = 1; this.taken.has(name); n++) name = `${hint}_${n}`;
    this.taken.add(name);
    return name;
  }
}
