import type { GraphBuilder } from '../../src/graph/builder.js';
import { conv, relu } from '../../src/graph/ops/index.js';
import { pytorchAvgPool2d, pytorchMaxPool2d } from '../pytorch-ops/pool.js';
import type { Value } from '../../src/graph/types.js';
import type { FamilySpec, LayerSpec } from './spec.js';

export type DropoutLayer = Extract<LayerSpec, { kind: 'dropout' }>;
type PoolLayer = Extract<LayerSpec, { kind: 'maxPool' | 'avgPool' }>;

/** A convolution's parameters, as whatever values its graph holds them in. */
export interface ConvParameters {
  readonly weight: Value;
  readonly bias: Value;
}

/**
 * What differs between the graphs built from one layer list: the inference
 * graph of converters/nin holds the checkpoint's weights as initializers and
 * leaves Dropout out; src/train's graphs take parameters as inputs and, when
 * training, apply Dropout through mask inputs.
 */
export interface LayerHooks {
  /** The weight and bias of the convolution at `index` (`name` is `<container>.<index>`), created or looked up. */
  readonly convParameters: (name: string, index: number) => ConvParameters;
  /** The output of the nn.Dropout at `index`: `x` itself leaves it out, as inference and model.eval() do. */
  readonly dropout: (x: Value, layer: DropoutLayer, name: string, index: number) => Value;
}

/**
 * A NIN family's nn.Sequential applied to `input`, up to the last map
 * ([batch, classes, 1, 1] when the sizes fit). Nodes are named
 * `<container>.<index>.<op>`, after PyTorch's layer. The ImageNet family's
 * closing nn.Softmax is left to the caller: inference applies it to the
 * flattened logits, training folds it into the cross-entropy.
 */
export function applyNinLayers(g: GraphBuilder, family: FamilySpec, input: Value, hooks: LayerHooks): Value {
  let x = input;
  family.layers.forEach((layer, index) => {
    const name = `${family.container}.${index}`;
    switch (layer.kind) {
      case 'conv': {
        const { weight, bias } = hooks.convParameters(name, index);
        x = conv(g, x, weight, bias, { strides: layer.stride, pads: layer.padding, name: `${name}.conv` });
        break;
      }
      case 'relu':
        x = relu(g, x, { name: `${name}.relu` });
        break;
      case 'maxPool':
      case 'avgPool':
        x = pool(g, x, layer, name);
        break;
      case 'dropout':
        x = hooks.dropout(x, layer, name, index);
        break;
      case 'softmax':
        break; // the caller's: see above
    }
  });
  return x;
}

/** nn.MaxPool2d / nn.AvgPool2d with PyTorch's sizes and divisors (ceil_mode as explicit pads, see converters/pytorch-ops/pool.ts). */
function pool(g: GraphBuilder, x: Value, layer: PoolLayer, name: string): Value {
  const options = {
    kernel: layer.kernel,
    stride: layer.stride,
    padding: layer.padding,
    ceilMode: layer.ceilMode,
    name: `${name}.pool`,
  };
  return layer.kind === 'maxPool'
    ? pytorchMaxPool2d(g, x, options)
    : pytorchAvgPool2d(g, x, { ...options, countIncludePad: layer.countIncludePad });
}
