import type { FunctionProto, GraphProto, ModelProto } from 'onnx-buf';
import { SHAPE_RULES } from '../graph/index.js';
import { ModelError } from './model-error.js';

/**
 * The ONNX operators (ai.onnx domain) that nin-sdk's own graphs use: every op the IR has a shape rule for, which
 * covers what nin-convert, nin-sdk quantize (QuantizeLinear / DequantizeLinear) and nin-sdk train write.
 */
export const IR_OPERATORS: ReadonlySet<string> = new Set(Object.keys(SHAPE_RULES));

/**
 * What an image classifier may run: nin-sdk's own operators, and those that exporters (torch.onnx, tf2onnx, Caffe
 * converters) write for convolutional classifiers adopted with `nin-sdk adopt`: normalisation, activations, a
 * Linear head, the `x.view(x.size(0), -1)` chain. No control flow (If, Loop, Scan: their bodies are more graphs),
 * nothing that reads or makes data-dependent shapes (NonZero, Unique, TopK), no random generators, no custom domain.
 * Tile, Resize, Upsample and Range are left out: they make tensors larger than their inputs, and the IR has no
 * rule to bound them; ConstantOfShape, Expand and Pad are in, as far as intermediate-sizes.ts bounds what they make.
 */
export const CLASSIFIER_OPERATORS: ReadonlySet<string> = new Set([
  ...IR_OPERATORS,
  'Abs',
  'ArgMax',
  'BatchNormalization',
  'Clip',
  'ConstantOfShape',
  'Dropout',
  'Elu',
  'Erf',
  'Gather',
  'Gemm',
  'GlobalMaxPool',
  'HardSigmoid',
  'HardSwish',
  'InstanceNormalization',
  'LeakyRelu',
  'LogSoftmax',
  'LRN',
  'Max',
  'Min',
  'Pow',
  'PRelu',
  'Reciprocal',
  'ReduceMin',
  'Selu',
  'Shape',
  'Sigmoid',
  'Softplus',
  'Split',
  'Squeeze',
  'Sum',
  'Tanh',
  'Unsqueeze',
]);

/**
 * Refuses a model that uses an operator outside `allowed`, by name, in its graph or its functions (a function is
 * called as an operator of its own domain, so any call to one is refused here too). ONNX Runtime would run any of
 * its hundreds of kernels; a classifier needs a few dozen, and each one left out is one less way for a crafted
 * model to allocate, loop or read what it likes.
 */
export function checkOperators(model: ModelProto, source: string, allowed: ReadonlySet<string>): void {
  const check = (nodes: GraphProto['node'] | FunctionProto['node'], where: string): void => {
    nodes.forEach((node, index) => {
      const domain = node.domain === 'ai.onnx' ? '' : node.domain;
      if (domain === '' && allowed.has(node.opType)) return;
      const op = domain === '' ? node.opType : `${domain}.${node.opType}`;
      throw new ModelError(
        `${source}: node ${JSON.stringify(node.name || String(index))}${where} runs ${JSON.stringify(op)}, an operator ` +
          'nin-sdk does not run (it runs the standard operators of image classifiers only)',
      );
    });
  };
  check(model.graph?.node ?? [], '');
  for (const fn of model.functions) check(fn.node, ` of function ${JSON.stringify(fn.name)}`);
}
