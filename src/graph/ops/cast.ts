import { attr } from '../attributes.js';
import type { GraphBuilder } from '../builder.js';
import { DATA_TYPES, dataTypeFromOnnxCode } from '../dtypes.js';
import type { InferenceContext, ShapeRule } from '../inference.js';
import type { DataType, Value } from '../types.js';
import { nameOption, type OpOptions } from './common.js';

export function cast(g: GraphBuilder, x: Value, to: DataType, options?: OpOptions): Value {
  return g.addNode('Cast', [x], { to: attr.int(DATA_TYPES[to].onnxCode) }, nameOption(options));
}

export const inferCast: ShapeRule = (ctx: InferenceContext) => {
  const x = ctx.input(0, 'input');
  const code = ctx.int('to', 0);
  const dtype = dataTypeFromOnnxCode(code);
  if (dtype === undefined) ctx.fail(`to=${code} is not a data type this IR supports`);
  return [{ dtype, shape: x.shape }];
};
