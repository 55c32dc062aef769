import type { CheckpointTensor } from '../formats/index.js';
import { GraphBuilder, ops, tensorData, type Graph, type Value } from '../graph/index.js';
import {
  foldedArchitecture,
  type ArchLayer,
  type Architecture,
  applyArchitectureLayers,
  type BatchNormLayer,
  type ConvLayer,
  ArchitectureError,
  BATCH_DIM,
  CLASS_MAPS_NAME,
  INPUT_NAME,
  LOGITS_NAME,
  PROBABILITIES_NAME,
  checkShapes,
  expectedTensors,
  type Fit,
} from '../architectures/index.js';

export interface BuildOptions {
  readonly opsetVersion?: number;
}

type Tensors = ReadonlyMap<string, CheckpointTensor>;

/**
 * The inference graph of a trained copy of `architecture` (src/train): `tensors` are its weights under the layers'
 * own names with BatchNorm folded in (foldedWeights' names and shapes), so the graph is the folded architecture's.
 */
export function buildTrainedGraph(architecture: Architecture, tensors: Tensors, options: BuildOptions = {}): Graph {
  const folded = foldedArchitecture(architecture);
  const keyOf = new Map(expectedTensors(folded).map((name) => [name, name]));
  return buildArchitectureGraph(checkShapes(folded, keyOf, tensors), tensors, options);
}

/**
 * Architecture + weights → inference graph: input [batch, C, S, S] → … → logits [batch, classes] and
 * probabilities (softmax over classes). Nodes are named after PyTorch's modules (`classifier.0.conv`).
 * Dropout is left out (inference); pooling sizes and divisors are PyTorch's; a BatchNorm right after a
 * convolution is folded into it (eval-mode BatchNorm is affine), any other becomes a per-channel Mul and Add;
 * a closing Softmax becomes the `probabilities` output, and one is added where the model has none. Where the logits
 * are a global average pool's, the map it pools is the `class_maps` output (the NIN paper's confidence maps).
 */
export function buildArchitectureGraph(fit: Fit, tensors: Tensors, options: BuildOptions = {}): Graph {
  const { architecture } = fit;
  const g = new GraphBuilder({
    name: `nin_${architecture.id.replaceAll('-', '_')}`,
    opsetVersion: options.opsetVersion ?? 17,
  });
  const size = architecture.inputSize;
  const input = g.input(INPUT_NAME, 'float32', [BATCH_DIM, architecture.inputChannels, size, size]);
  const tensor = tensorLookup(fit, tensors);
  let classMaps: Value | undefined;
  const x = applyArchitectureLayers(g, architecture, input, {
    conv: (layer, batchNorm) => {
      const folded = batchNorm === undefined ? undefined : foldBatchNorm(layer, batchNorm, tensor);
      const weight = folded?.weight ?? convWeight(layer, tensor);
      const bias = folded?.bias ?? (layer.bias ? tensor(layer, 'bias') : undefined);
      return {
        weight: g.initializer(`${layer.name}.weight`, tensorData('float32', weight.dims, weight.data)),
        bias:
          bias === undefined
            ? undefined
            : g.initializer(`${layer.name}.bias`, tensorData('float32', bias.dims, bias.data)),
      };
    },
    batchNorm: (layer) => {
      const { scale, shift } = batchNormAffine(layer, tensor);
      const channels = scale.length;
      return {
        scale: g.initializer(`${layer.name}.scale`, tensorData('float32', [channels, 1, 1], scale)),
        shift: g.initializer(`${layer.name}.shift`, tensorData('float32', [channels, 1, 1], shift)),
      };
    },
    batchNormBeforeSign: (layer) => {
      const { scale, shift } = batchNormAffine(layer, tensor);
      const channels = scale.length;
      return {
        scale: g.initializer(`${layer.name}.scale`, tensorData('float64', [channels, 1, 1], Float64Array.from(scale))),
        shift: g.initializer(`${layer.name}.shift`, tensorData('float64', [channels, 1, 1], Float64Array.from(shift))),
      };
    },
    linear: (layer) => {
      const weight = tensor(layer, 'weight');
      const [out, inFeatures] = weight.dims as [number, number];
      return {
        weight: g.initializer(
          `${layer.name}.weight_t`,
          tensorData('float32', [inFeatures, out], transpose2d(weight.data, out, inFeatures)),
        ),
        bias: layer.bias ? g.initializer(`${layer.name}.bias`, tensor(layer, 'bias')) : undefined,
      };
    },
    dropout: (activations) => activations, // identity at inference, as in model.eval()
    classMaps: (maps) => {
      classMaps = maps;
    },
  });

  const logits = x.shape.length === 2 ? x : ops.flatten(g, x, 1, { name: LOGITS_NAME });
  if (logits.shape[1] !== fit.classCount) {
    throw new ArchitectureError(
      `${architecture.title} should end in a 1×1 map, but the last layer leaves ${x.shape.slice(1).join('×')}`,
    );
  }
  g.output(logits, LOGITS_NAME);
  g.output(ops.softmax(g, logits, 1, { name: PROBABILITIES_NAME }), PROBABILITIES_NAME);
  if (classMaps !== undefined) g.output(classMaps, CLASS_MAPS_NAME);
  return g.build();
}

/**
 * The weights a trainable copy of the architecture starts from, under the layers' own names: each conv's
 * `<name>.weight` and `<name>.bias` (BatchNorm folded in where one follows, so the conv then has a bias even if the
 * model's had none: BatchNorm-folded nets train as folded convs) and each Linear's `<name>.weight` ([out, in], as
 * PyTorch stores it) and `<name>.bias`. Throws for what has no trainable form here: XNOR-Net's binarised weights
 * and a BatchNorm that follows no convolution.
 */
export function foldedWeights(
  fit: Fit,
  tensors: Tensors,
): Map<string, { shape: readonly number[]; data: Float32Array }> {
  const { architecture } = fit;
  const tensor = tensorLookup(fit, tensors);
  const weights = new Map<string, { shape: readonly number[]; data: Float32Array }>();
  const set = (name: string, t: FloatArray): void => void weights.set(name, { shape: t.dims, data: t.data });
  architecture.layers.forEach((layer, index) => {
    const next = architecture.layers[index + 1];
    switch (layer.kind) {
      case 'conv': {
        if (layer.weights === 'xnor-binarized')
          throw new ArchitectureError(
            `${architecture.title}: ${layer.name} uses XNOR-Net's binarised weights, which cannot be trained here`,
          );
        const folded = next?.kind === 'batchNorm' ? foldBatchNorm(layer, next, tensor) : undefined;
        set(`${layer.name}.weight`, folded?.weight ?? tensor(layer, 'weight'));
        const bias = folded?.bias ?? (layer.bias ? tensor(layer, 'bias') : undefined);
        if (bias !== undefined) set(`${layer.name}.bias`, bias);
        break;
      }
      case 'batchNorm':
        if (architecture.layers[index - 1]?.kind !== 'conv')
          throw new ArchitectureError(
            `${architecture.title}: BatchNorm ${layer.name} follows no convolution, so it cannot be folded for training`,
          );
        break;
      case 'linear':
        set(`${layer.name}.weight`, tensor(layer, 'weight'));
        if (layer.bias) set(`${layer.name}.bias`, tensor(layer, 'bias'));
        break;
      default:
        break;
    }
  });
  return weights;
}

function tensorLookup(fit: Fit, tensors: Tensors) {
  return (layer: ArchLayer, suffix: string) => floatTensor(tensors, fit.keyOf.get(`${layer.name}.${suffix}`)!);
}

interface FloatArray {
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

/**
 * Eval-mode BatchNorm as y = x·scale + shift per channel, both in float32 as PyTorch's CPU kernel forms them
 * (batch_norm_cpu_collect_linear_and_constant_terms): invstd = 1 / √(var + eps), scale = invstd · γ, and
 * shift = β − mean · scale as one fused multiply-add (γ = 1, β = 0 without affine). A BatchNorm ahead of a Sign
 * (XNOR-Net) turns every input a ReLU zeroed into `shift` itself: its sign must be PyTorch's, to the last bit.
 */
function batchNormAffine(
  layer: BatchNormLayer,
  tensor: (layer: ArchLayer, suffix: string) => FloatArray,
): { scale: Float32Array; shift: Float32Array } {
  const mean = tensor(layer, 'running_mean').data;
  const variance = tensor(layer, 'running_var').data;
  const gamma = batchNormGamma(layer, tensor);
  const beta = layer.affine ? tensor(layer, 'bias').data : undefined;
  const eps = Math.fround(layer.eps);
  const scale = new Float32Array(mean.length);
  const shift = new Float32Array(mean.length);
  for (let c = 0; c < mean.length; c++) {
    const invstd = Math.fround(1 / Math.fround(Math.sqrt(Math.fround(variance[c]! + eps))));
    scale[c] = Math.fround(invstd * (gamma?.[c] ?? 1));
    shift[c] = fusedMultiplyAdd(-mean[c]!, scale[c]!, beta?.[c] ?? 0);
  }
  return { scale, shift };
}

/**
 * a·b + c rounded once to float32, for float32 a, b, c: the product is exact in float64, the sum is rounded to
 * float64 and then to float32, which equals the single rounding of an FMA but for sums that fall exactly halfway
 * between two float32 values after the first rounding.
 */
function fusedMultiplyAdd(a: number, b: number, c: number): number {
  return Math.fround(a * b + c);
}

/** conv → BatchNorm as one conv: W' = W·scale[out], b' = (b − mean)·scale + β. */
function foldBatchNorm(
  convLayer: ConvLayer,
  bn: BatchNormLayer,
  tensor: (layer: ArchLayer, suffix: string) => FloatArray,
): { weight: FloatArray; bias: FloatArray } {
  const weight = convWeight(convLayer, tensor);
  const bias = convLayer.bias ? tensor(convLayer, 'bias').data : undefined;
  const mean = tensor(bn, 'running_mean').data;
  const variance = tensor(bn, 'running_var').data;
  const gamma = batchNormGamma(bn, tensor);
  const beta = bn.affine ? tensor(bn, 'bias').data : undefined;
  const out = weight.dims[0]!;
  const perOut = weight.data.length / out;
  const folded = new Float32Array(weight.data.length);
  const foldedBias = new Float32Array(out);
  for (let o = 0; o < out; o++) {
    const s = (gamma?.[o] ?? 1) / Math.sqrt(variance[o]! + bn.eps);
    for (let i = o * perOut; i < (o + 1) * perOut; i++) folded[i] = weight.data[i]! * s;
    foldedBias[o] = ((bias?.[o] ?? 0) - mean[o]!) * s + (beta?.[o] ?? 0);
  }
  return { weight: { dims: weight.dims, data: folded }, bias: { dims: [out], data: foldedBias } };
}

type TensorOf = (layer: ArchLayer, suffix: string) => FloatArray;

/** γ as the forward pass uses it: XNOR-Net clamps it from below on every forward. */
function batchNormGamma(layer: BatchNormLayer, tensor: TensorOf): Float32Array | undefined {
  if (!layer.affine) return undefined;
  const gamma = tensor(layer, 'weight').data;
  const min = layer.minWeight;
  return min === undefined ? gamma : gamma.map((g) => Math.max(g, min));
}

/** A conv's weight as evaluation uses it: as saved, or binarised the way XNOR-Net's test() does first. */
function convWeight(layer: ConvLayer, tensor: TensorOf): FloatArray {
  const weight = tensor(layer, 'weight');
  return layer.weights === 'xnor-binarized'
    ? { dims: weight.dims, data: xnorBinarize(weight.data, weight.dims) }
    : weight;
}

/**
 * XNOR-Net's BinOp.binarization, in float32 as PyTorch computes it: centre over the input channels (dim 1),
 * clamp to [−1, 1], then sign(w) × mean |w| of the output channel (L1 norm over dims 1–3 / count).
 */
function xnorBinarize(data: Float32Array, dims: readonly number[]): Float32Array {
  const [out, inChannels, kh, kw] = dims as [number, number, number, number];
  const area = kh * kw;
  const perOut = inChannels * area;
  const centred = new Float32Array(data.length);
  for (let o = 0; o < out; o++) {
    for (let k = 0; k < area; k++) {
      let sum = 0;
      for (let i = 0; i < inChannels; i++) sum += data[o * perOut + i * area + k]!;
      const mean = Math.fround(sum / inChannels);
      for (let i = 0; i < inChannels; i++) {
        const at = o * perOut + i * area + k;
        centred[at] = Math.min(1, Math.max(-1, Math.fround(data[at]! - mean)));
      }
    }
  }
  const binary = new Float32Array(data.length);
  for (let o = 0; o < out; o++) {
    let l1 = 0;
    for (let j = o * perOut; j < (o + 1) * perOut; j++) l1 += Math.abs(centred[j]!);
    const alpha = Math.fround(l1 / perOut);
    for (let j = o * perOut; j < (o + 1) * perOut; j++) binary[j] = Math.sign(centred[j]!) * alpha;
  }
  return binary;
}

function transpose2d(data: Float32Array, rows: number, columns: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) out[c * rows + r] = data[r * columns + c]!;
  return out;
}

function floatTensor(tensors: Tensors, key: string) {
  const tensor = tensors.get(key);
  if (tensor === undefined || !(tensor.data instanceof Float32Array)) {
    throw new ArchitectureError(`${key} must be a floating tensor, got ${tensor?.dtype ?? 'nothing'}`);
  }
  return tensorData('float32', tensor.shape, tensor.data);
}
