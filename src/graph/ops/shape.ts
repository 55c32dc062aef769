import type { GraphBuilder } from '../builder.js';
import type { InferenceContext, ShapeRule } from '../inference.js';
import type { Value } from '../types.js';
import { nameOption, type OpOptions } from './common.js';

/**
 * ONNX Shape (no start/end): x's dimensions as a 1-D int64 tensor, read when the graph runs. Training uses it for
 * the number of values a batch statistic averages, which a dynamic batch size leaves unknown until then.
 */
export function shape(g: GraphBuilder, x: Value, options?: OpOptions): Value {
  return g.addNode('Shape', [x], {}, nameOption(options));
}

export const inferShape: ShapeRule = (ctx: InferenceContext) => {
  const x = ctx.input(0, 'data');
  if (ctx.has('start') || ctx.has('end')) ctx.fail('start and end are not supported');
  return [{ dtype: 'int64', shape: [x.shape.length] }];
};
