import { ops, type GraphBuilder, type Value } from '../../graph/index.js';
import { GradientError } from '../autodiff/rule.js';

/**
 * The gradient of an operand that was broadcast to `gradient`'s shape: summed
 * over the axes broadcasting stretched, then reshaped to the operand's shape.
 */
export function unbroadcast(g: GraphBuilder, gradient: Value, operand: Value): Value {
  const rank = gradient.shape.length;
  const lead = rank - operand.shape.length;
  const axes: number[] = [];
  for (let i = 0; i < rank; i++) {
    const from = i < lead ? 1 : operand.shape[i - lead]!;
    if (from === gradient.shape[i]) continue;
    if (from !== 1) {
      throw new GradientError(
        `unbroadcast: cannot reduce ${gradient.name} [${gradient.shape.join(',')}] to [${operand.shape.join(',')}]`,
      );
    }
    axes.push(i);
  }
  if (axes.length === 0) return gradient;
  const summed = ops.reduceSum(g, gradient, axes, { keepdims: true });
  if (lead === 0) return summed;
  const target = operand.shape.map((d) => {
    if (typeof d !== 'number')
      throw new GradientError(`unbroadcast: ${operand.name} needs a static shape to drop leading axes`);
    return d;
  });
  return ops.reshape(g, summed, target);
}
