import { type GraphBuilder, ops, type Value } from '../graph/index.js';
import { pytorchAvgPool2d, pytorchMaxPool2d } from './pytorch-ops/pool.js';
import type { ArchLayer, Architecture } from './architecture.js';
import { ArchitectureError } from './errors.js';
import { LOGITS_NAME } from './io-names.js';

export type ConvLayer = Extract<ArchLayer, { kind: 'conv' }>;
export type BatchNormLayer = Extract<ArchLayer, { kind: 'batchNorm' }>;
export type LinearLayer = Extract<ArchLayer, { kind: 'linear' }>;
export type DropoutLayer = Extract<ArchLayer, { kind: 'dropout' }>;

/**
 * What differs between the graphs built from one architecture: the inference graph of src/architectures holds the
 * checkpoint's weights as initializers and leaves Dropout out; src/train's graphs take the parameters as graph
 * inputs and, when training, apply Dropout through mask inputs.
 */
export interface ArchitectureHooks {
  /**
   * A convolution's weight and bias. `batchNorm` is the BatchNorm right after it, if any: the conv's values must
   * then be the folded ones (eval-mode BatchNorm is affine), and the walk skips the BatchNorm.
   */
  readonly conv: (layer: ConvLayer, batchNorm: BatchNormLayer | undefined) => { weight: Value; bias?: Value };
  /** A BatchNorm that follows no convolution, as a per-channel scale and shift ([C, 1, 1]). */
  readonly batchNorm: (layer: BatchNormLayer) => { scale: Value; shift: Value };
  /**
   * A BatchNorm whose output feeds a Sign, as float64 scale and shift ([C, 1, 1]) holding float32 values: the walk
   * computes `x·scale + shift` in float64 and rounds once, which is the fused multiply-add PyTorch's CPU kernel does.
   * Values near zero decide a Sign, so one more rounding than PyTorch's flips them. Absent: the float32 path.
   */
  readonly batchNormBeforeSign?: (layer: BatchNormLayer) => { scale: Value; shift: Value };
  /**
   * Training with batch statistics: every BatchNorm computed from its input as nn.BatchNorm2d in train mode, never
   * folded into the conv before it. Absent: folded (conv) or affine (batchNorm), as eval mode computes it.
   */
  readonly batchNormFromInput?: (x: Value, layer: BatchNormLayer) => Value;
  /** nn.Linear as `x · weight + bias`: `weight` is the [in, out] matrix (PyTorch's weight transposed). */
  readonly linear: (layer: LinearLayer) => { weight: Value; bias?: Value };
  /** The output of an nn.Dropout at `index`: `x` itself leaves it out, as inference and model.eval() do. */
  readonly dropout: (x: Value, layer: DropoutLayer, index: number) => Value;
  /**
   * Told of the class maps: the value that the closing average pool turns into the logits, when that pool is a
   * global one (its window the whole map, no padding) and only Dropout, Flatten or Softmax follow it. Then each
   * logit is its class's mean over the map (the NIN paper's category confidence maps).
   */
  readonly classMaps?: (maps: Value) => void;
}

/** Whether `pooled` is the mean of all of `map` per channel, and nothing but a reshape stands between it and the logits. */
function isClosingGlobalMean(layers: readonly ArchLayer[], index: number, map: Value, pooled: Value): boolean {
  const layer = layers[index]!;
  const [, , h, w] = map.shape;
  if (pooled.shape[2] !== 1 || pooled.shape[3] !== 1 || typeof h !== 'number' || typeof w !== 'number') return false;
  if (layer.kind === 'avgPool' && (layer.padding !== 0 || layer.kernel !== h || layer.kernel !== w)) return false;
  return layers.slice(index + 1).every((l) => l.kind === 'dropout' || l.kind === 'flatten' || l.kind === 'softmax');
}

/**
 * Whether the output of the layer at `index` reaches a Sign through elementwise and pooling layers only (no conv,
 * linear or flatten between): there any difference in the last bit from PyTorch's arithmetic can flip a sign.
 */
function reachesSign(layers: readonly ArchLayer[], index: number): boolean {
  for (const layer of layers.slice(index + 1)) {
    if (layer.kind === 'sign') return true;
    if (layer.kind === 'conv' || layer.kind === 'linear' || layer.kind === 'flatten') return false;
  }
  return false;
}

/**
 * An architecture's layers applied to `input`, up to the last value before any closing Softmax (which is the
 * caller's: inference applies it to the logits, training folds it into the cross-entropy). Nodes are named after
 * PyTorch's modules (`classifier.0.conv`); a Flatten that is the last layer makes the value `logits`.
 */
export function applyArchitectureLayers(
  g: GraphBuilder,
  architecture: Architecture,
  input: Value,
  hooks: ArchitectureHooks,
): Value {
  const layers = architecture.layers;
  let x = input;
  for (let index = 0; index < layers.length; index++) {
    const layer = layers[index]!;
    const name = layer.name;
    switch (layer.kind) {
      case 'conv': {
        const next = layers[index + 1];
        // Folded, unless what follows decides a Sign: then the BatchNorm is computed as PyTorch does (below).
        const exact = hooks.batchNormBeforeSign !== undefined && reachesSign(layers, index + 1);
        const folds = !exact && hooks.batchNormFromInput === undefined;
        const batchNorm = next?.kind === 'batchNorm' && folds ? next : undefined;
        const { weight, bias } = hooks.conv(layer, batchNorm);
        x = ops.conv(g, x, weight, bias, { strides: layer.stride, pads: layer.padding, name: `${name}.conv` });
        if (batchNorm !== undefined) index += 1;
        break;
      }
      case 'batchNorm': {
        if (hooks.batchNormFromInput !== undefined) {
          x = hooks.batchNormFromInput(x, layer);
          break;
        }
        const exact = reachesSign(layers, index) ? hooks.batchNormBeforeSign : undefined;
        if (exact !== undefined) {
          const { scale, shift } = exact(layer);
          const wide = ops.cast(g, x, 'float64', { name: `${name}.to_float64` });
          const affine = ops.add(g, ops.mul(g, wide, scale, { name: `${name}.mul` }), shift, { name: `${name}.add` });
          x = ops.cast(g, affine, 'float32', { name: `${name}.to_float32` });
          break;
        }
        const { scale, shift } = hooks.batchNorm(layer);
        x = ops.add(g, ops.mul(g, x, scale, { name: `${name}.mul` }), shift, { name: `${name}.add` });
        break;
      }
      case 'relu':
        x = ops.relu(g, x, { name: `${name}.relu` });
        break;
      case 'leakyRelu':
        x = ops.leakyRelu(g, x, layer.slope, { name: `${name}.leaky_relu` });
        break;
      case 'sign':
        x = ops.sign(g, x, { name: `${name}.sign` });
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
      case 'avgPool': {
        const map = x;
        x = pytorchAvgPool2d(g, x, {
          kernel: layer.kernel,
          stride: layer.stride,
          padding: layer.padding,
          ceilMode: layer.ceilMode,
          countIncludePad: layer.countIncludePad,
          name: `${name}.pool`,
        });
        if (isClosingGlobalMean(layers, index, map, x)) hooks.classMaps?.(map);
        break;
      }
      case 'adaptiveAvgPool': {
        const map = x;
        x = ops.globalAveragePool(g, x, { name: `${name}.pool` });
        if (isClosingGlobalMean(layers, index, map, x)) hooks.classMaps?.(map);
        break;
      }
      case 'dropout':
        x = hooks.dropout(x, layer, index);
        break;
      case 'flatten':
        x = ops.flatten(g, x, 1, { name: index === layers.length - 1 ? LOGITS_NAME : `${name}.flatten` });
        break;
      case 'linear': {
        const { weight, bias } = hooks.linear(layer);
        x = ops.matMul(g, x, weight, { name: `${name}.matmul` });
        if (bias !== undefined) x = ops.add(g, x, bias, { name: `${name}.add` });
        break;
      }
      case 'softmax':
        if (index !== layers.length - 1)
          throw new ArchitectureError(`${architecture.title}: a softmax is supported only as the last layer (${name})`);
        break; // the caller's: see above
    }
  }
  return x;
}
