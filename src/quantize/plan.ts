import { isStaticDim, type Graph, type Node } from '../graph/index.js';

/**
 * Where an activation's quantization parameters come from: its own calibrated range, or the parameters of
 * another activation (MaxPool's output shares its input's, so that ONNX Runtime runs it on uint8 directly).
 */
export type ActivationSource = { readonly kind: 'calibrated' } | { readonly kind: 'shared'; readonly with: string };

/** Which float tensors get a QuantizeLinear → DequantizeLinear pair, and which Convs get int8 weights. */
export interface QuantizationPlan {
  /** Quantized activations by value name, in graph order. */
  readonly activations: ReadonlyMap<string, ActivationSource>;
  /** The Conv nodes whose weights (and biases) are quantized, by node name. */
  readonly convs: readonly string[];
  /**
   * AveragePool nodes, by name, to write as depthwise Convs with constant 1/(kernel area) weights: the same sums,
   * but ONNX Runtime runs a depthwise QLinearConv much faster than its QLinearAveragePool (docs/int8.md).
   */
  readonly windowAverages: readonly string[];
  /** The tensors whose ranges calibration must measure. */
  readonly calibrated: readonly string[];
}

/**
 * Decides the QDQ layout ONNX Runtime's CPU provider turns into integer kernels (what was measured fastest on x86):
 * - every Conv with constant weights: its input quantized; its output quantized after the ReLU that follows it
 *   (zero point 0, so ORT absorbs the Relu and fuses Conv+Relu into one QLinearConv), or directly when no ReLU does;
 * - MaxPool on a quantized input: the output reuses the input's parameters (ORT drops the QDQ pair around it);
 * - AveragePool on a quantized input: the output gets its own range, unless the pool is global (a 1×1 output, the
 *   classifier's head), which stays float32: it is cheap, and the logits keep full precision. A pool whose every
 *   window divides by the kernel area (count_include_pad, or no padding; no ceil_mode) is written as a depthwise
 *   Conv (fused into QLinearConv); any other stays an AveragePool (QLinearAveragePool).
 * Everything else stays float32 and reads the dequantized tensor. Activations are always uint8: ONNX Runtime on
 * x86 runs int8 activations several times slower than float32.
 */
export function planQuantization(graph: Graph): QuantizationPlan {
  const constants = new Set(graph.initializers.map((i) => i.name));
  const consumers = consumersByValue(graph);
  const graphOutputs = new Set(graph.outputs.map((v) => v.name));
  const activations = new Map<string, ActivationSource>();
  const convs: string[] = [];
  const windowAverages: string[] = [];
  const calibrate = (name: string): void => {
    if (!activations.has(name)) activations.set(name, { kind: 'calibrated' });
  };

  for (const node of graph.nodes) {
    const input = node.inputs[0];
    const output = node.outputs[0]?.name;
    if (input === undefined || input === '' || output === undefined) continue;
    switch (node.opType) {
      case 'Conv': {
        const weight = node.inputs[1];
        const bias = node.inputs[2];
        if (
          weight === undefined ||
          !constants.has(weight) ||
          (bias !== undefined && bias !== '' && !constants.has(bias))
        )
          break;
        convs.push(node.name);
        calibrate(input);
        const users = consumers.get(output) ?? [];
        const relu =
          users.length === 1 && users[0]!.opType === 'Relu' && !graphOutputs.has(output) ? users[0]! : undefined;
        calibrate(relu?.outputs[0]?.name ?? output);
        break;
      }
      case 'MaxPool':
        if (activations.has(input) && node.outputs.length === 1)
          activations.set(output, { kind: 'shared', with: rootOf(activations, input) });
        break;
      case 'AveragePool':
        if (activations.has(input) && !isGlobal(node)) {
          calibrate(output);
          if (isFixedDivisorPool(node)) windowAverages.push(node.name);
        }
        break;
      default:
        break;
    }
  }
  const calibrated = [...activations].filter(([, source]) => source.kind === 'calibrated').map(([name]) => name);
  return { activations, convs, windowAverages, calibrated };
}

function rootOf(activations: ReadonlyMap<string, ActivationSource>, name: string): string {
  const source = activations.get(name);
  return source?.kind === 'shared' ? source.with : name;
}

/** A pool whose every output map is 1×1: a global pool, whatever op spells it. */
function isGlobal(node: Node): boolean {
  const spatial = node.outputs[0]!.shape.slice(2);
  return spatial.length > 0 && spatial.every((d) => isStaticDim(d) && d === 1);
}

/**
 * A 2-D AveragePool whose every output is the sum of its window over the kernel area, with a known channel count:
 * no ceil_mode (windows stay inside the padded input) and padding counted (or none), as a depthwise Conv computes.
 */
function isFixedDivisorPool(node: Node): boolean {
  const ints = (name: string): readonly number[] | undefined => {
    const a = node.attributes[name];
    return a?.type === 'ints' ? a.value : undefined;
  };
  const int = (name: string): number | undefined => {
    const a = node.attributes[name];
    return a?.type === 'int' ? a.value : undefined;
  };
  const autoPad = node.attributes['auto_pad'];
  const channels = node.outputs[0]!.shape[1];
  return (
    ints('kernel_shape')?.length === 2 &&
    node.outputs[0]!.shape.length === 4 &&
    channels !== undefined &&
    isStaticDim(channels) &&
    (int('ceil_mode') ?? 0) === 0 &&
    (autoPad === undefined || (autoPad.type === 'string' && autoPad.value === 'NOTSET')) &&
    (ints('dilations') ?? []).every((d) => d === 1) &&
    ((int('count_include_pad') ?? 0) === 1 || (ints('pads') ?? []).every((p) => p === 0))
  );
}

function consumersByValue(graph: Graph): Map<string, Node[]> {
  const consumers = new Map<string, Node[]>();
  for (const node of graph.nodes) {
    for (const input of new Set(node.inputs)) {
      if (input === '') continue;
      const list = consumers.get(input) ?? [];
      list.push(node);
      consumers.set(input, list);
    }
  }
  return consumers;
}
