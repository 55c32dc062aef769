import type { CheckpointTensor } from '../pth/types.js';
import { GraphBuilder } from '../../src/graph/builder.js';
import { add, conv, flatten, globalAveragePool, matMul, mul, relu, sign, softmax } from '../../src/graph/ops/index.js';
import { tensorData } from '../../src/graph/tensor-data.js';
import { pytorchAvgPool2d, pytorchMaxPool2d } from '../pytorch-ops/pool.js';
import type { Graph, Value } from '../../src/graph/types.js';
import type { ArchLayer } from './architecture.js';
import { ArchitectureError } from './errors.js';
import { BATCH_DIM, INPUT_NAME, LOGITS_NAME, PROBABILITIES_NAME } from './io-names.js';
import { checkShapes, type Fit } from './fit.js';
import type { Recognition } from './recognize.js';
import { architectureById } from './registry.js';

export interface BuildOptions {
  readonly opsetVersion?: number;
}

type Tensors = ReadonlyMap<string, CheckpointTensor>;
type ConvLayer = Extract<ArchLayer, { kind: 'conv' }>;
type BatchNormLayer = Extract<ArchLayer, { kind: 'batchNorm' }>;

/**
 * A pytorch-nin family's recognition + weights → inference graph (the families' entry point, kept for src/train
 * and the tests; the graph is the one buildArchitectureGraph makes for the family's registry entry).
 */
export function buildNinGraph(recognition: Recognition, tensors: Tensors, options: BuildOptions = {}): Graph {
  const architecture = architectureById(recognition.family.id)!;
  const container = recognition.family.container;
  const keyOf = new Map<string, string>();
  for (const c of recognition.convs) {
    keyOf.set(`${container}.${c.layerIndex}.weight`, c.weightKey);
    keyOf.set(`${container}.${c.layerIndex}.bias`, c.biasKey);
  }
  return buildArchitectureGraph(checkShapes(architecture, keyOf, tensors), tensors, options);
}

/**
 * Architecture + weights → inference graph: input [batch, C, S, S] → … → logits [batch, classes] and
 * probabilities (softmax over classes). Nodes are named after PyTorch's modules (`classifier.0.conv`).
 * Dropout is left out (inference); pooling sizes and divisors are PyTorch's; a BatchNorm right after a
 * convolution is folded into it (eval-mode BatchNorm is affine), any other becomes a per-channel Mul and Add;
 * a closing Softmax becomes the `probabilities` output, and one is added where the model has none.
 */
export function buildArchitectureGraph(fit: Fit, tensors: Tensors, options: BuildOptions = {}): Graph {
  const { architecture, keyOf } = fit;
  const g = new GraphBuilder({
    name: `nin_${architecture.id.replaceAll('-', '_')}`,
    opsetVersion: options.opsetVersion ?? 17,
  });
  const size = architecture.inputSize;
  const input = g.input(INPUT_NAME, 'float32', [BATCH_DIM, architecture.inputChannels, size, size]);
  const tensor = (layer: ArchLayer, suffix: string) => floatTensor(tensors, keyOf.get(`${layer.name}.${suffix}`)!);
  const layers = architecture.layers;

  let x: Value = input;
  for (let index = 0; index < layers.length; index++) {
    const layer = layers[index]!;
    const name = layer.name;
    switch (layer.kind) {
      case 'conv': {
        const next = layers[index + 1];
        const folded = next?.kind === 'batchNorm' ? foldBatchNorm(layer, next, tensor) : undefined;
        const weight = folded?.weight ?? convWeight(layer, tensor);
        const bias = folded?.bias ?? (layer.bias ? tensor(layer, 'bias') : undefined);
        const w = g.initializer(`${name}.weight`, tensorData('float32', weight.dims, weight.data));
        const b =
          bias === undefined ? undefined : g.initializer(`${name}.bias`, tensorData('float32', bias.dims, bias.data));
        x = conv(g, x, w, b, { strides: layer.stride, pads: layer.padding, name: `${name}.conv` });
        if (folded !== undefined) index += 1;
        break;
      }
      case 'batchNorm': {
        const { scale, shift } = batchNormAffine(layer, tensor);
        const channels = scale.length;
        const s = g.initializer(`${name}.scale`, tensorData('float32', [channels, 1, 1], scale));
        const t = g.initializer(`${name}.shift`, tensorData('float32', [channels, 1, 1], shift));
        x = add(g, mul(g, x, s, { name: `${name}.mul` }), t, { name: `${name}.add` });
        break;
      }
      case 'relu':
        x = relu(g, x, { name: `${name}.relu` });
        break;
      case 'sign':
        x = sign(g, x, { name: `${name}.sign` });
        break;
      case 'maxPool':
        x = pytorchMaxPool2d(g, x, {
          kernel: layer.kernel,
          stride: layer.stride,
          padding: layer.padding,
          ceilMode: layer.ceilMode,
          name: `${name}.pool`,
        });
        break;
      case 'avgPool':
        x = pytorchAvgPool2d(g, x, {
          kernel: layer.kernel,
          stride: layer.stride,
          padding: layer.padding,
          ceilMode: layer.ceilMode,
          countIncludePad: layer.countIncludePad,
          name: `${name}.pool`,
        });
        break;
      case 'adaptiveAvgPool':
        x = globalAveragePool(g, x, { name: `${name}.pool` });
        break;
      case 'dropout':
        break; // identity at inference, as in model.eval()
      case 'flatten':
        x = flatten(g, x, 1, { name: index === layers.length - 1 ? LOGITS_NAME : `${name}.flatten` });
        break;
      case 'linear': {
        const weight = tensor(layer, 'weight');
        const [out, inFeatures] = weight.dims as [number, number];
        const w = g.initializer(
          `${name}.weight_t`,
          tensorData('float32', [inFeatures, out], transpose2d(weight.data, out, inFeatures)),
        );
        x = matMul(g, x, w, { name: `${name}.matmul` });
        if (layer.bias) x = add(g, x, g.initializer(`${name}.bias`, tensor(layer, 'bias')), { name: `${name}.add` });
        break;
      }
      case 'softmax':
        if (index !== layers.length - 1)
          throw new ArchitectureError(`${architecture.title}: a softmax is supported only as the last layer (${name})`);
        break; // the `probabilities` output below
    }
  }

  const logits = x.shape.length === 2 ? x : flatten(g, x, 1, { name: LOGITS_NAME });
  if (logits.shape[1] !== fit.classCount) {
    throw new ArchitectureError(
      `${architecture.title} should end in a 1×1 map, but the last layer leaves ${x.shape.slice(1).join('×')}`,
    );
  }
  g.output(logits, LOGITS_NAME);
  g.output(softmax(g, logits, 1, { name: PROBABILITIES_NAME }), PROBABILITIES_NAME);
  return g.build();
}

interface FloatArray {
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

/**
 * Eval-mode BatchNorm as y = x·scale + shift per channel: scale = γ / √(var + eps), shift = β − mean·scale
 * (γ = 1, β = 0 without affine). Computed in float64 and rounded once, so the folded model stays within float32
 * rounding of PyTorch's.
 */
function batchNormAffine(
  layer: BatchNormLayer,
  tensor: (layer: ArchLayer, suffix: string) => FloatArray,
): { scale: Float32Array; shift: Float32Array } {
  const mean = tensor(layer, 'running_mean').data;
  const variance = tensor(layer, 'running_var').data;
  const gamma = batchNormGamma(layer, tensor);
  const beta = layer.affine ? tensor(layer, 'bias').data : undefined;
  const scale = new Float32Array(mean.length);
  const shift = new Float32Array(mean.length);
  for (let c = 0; c < mean.length; c++) {
    const s = (gamma?.[c] ?? 1) / Math.sqrt(variance[c]! + layer.eps);
    scale[c] = s;
    shift[c] = (beta?.[c] ?? 0) - mean[c]! * s;
  }
  return { scale, shift };
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
