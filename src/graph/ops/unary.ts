import { attr } from '../attributes.js';
import type { GraphBuilder } from '../builder.js';
import type { InferenceContext, ShapeRule } from '../inference.js';
import { formatType } from '../shape.js';
import type { Value } from '../types.js';
import { nameOption, requireFloat, type OpOptions } from './common.js';

/** Same-shape ops on floats: the output type is the input type. */
const floatUnary: ShapeRule = (ctx: InferenceContext) => {
  const x = ctx.input(0, 'input');
  requireFloat(ctx, x, 'input');
  return [x];
};

export const inferRelu = floatUnary;
export const inferExp = floatUnary;
export const inferLog = floatUnary;
export const inferSqrt = floatUnary;
export const inferSign = floatUnary;
export const inferLeakyRelu = floatUnary;

export const inferNeg: ShapeRule = (ctx: InferenceContext) => {
  const x = ctx.input(0, 'input');
  if (x.dtype === 'bool') ctx.fail(`input must be numeric, got ${formatType(x)}`);
  return [x];
};

export const inferIdentity: ShapeRule = (ctx: InferenceContext) => [ctx.input(0, 'input')];

export function relu(g: GraphBuilder, x: Value, options?: OpOptions): Value {
  return g.addNode('Relu', [x], {}, nameOption(options));
}

/** LeakyRelu: x for x ≥ 0, `alpha`·x below (PyTorch's nn.LeakyReLU(negative_slope)). */
export function leakyRelu(g: GraphBuilder, x: Value, alpha: number, options?: OpOptions): Value {
  return g.addNode('LeakyRelu', [x], { alpha: attr.float(alpha) }, nameOption(options));
}

export function exp(g: GraphBuilder, x: Value, options?: OpOptions): Value {
  return g.addNode('Exp', [x], {}, nameOption(options));
}

export function log(g: GraphBuilder, x: Value, options?: OpOptions): Value {
  return g.addNode('Log', [x], {}, nameOption(options));
}

export function sqrt(g: GraphBuilder, x: Value, options?: OpOptions): Value {
  return g.addNode('Sqrt', [x], {}, nameOption(options));
}

export function neg(g: GraphBuilder, x: Value, options?: OpOptions): Value {
  return g.addNode('Neg', [x], {}, nameOption(options));
}

/** Sign: −1, 0 or 1 elementwise (XNOR-Net's binary activations); 0 stays 0, as in torch.sign. */
export function sign(g: GraphBuilder, x: Value, options?: OpOptions): Value {
  return g.addNode('Sign', [x], {}, nameOption(options));
}

export function identity(g: GraphBuilder, x: Value, options?: OpOptions): Value {
  return g.addNode('Identity', [x], {}, nameOption(options));
}
