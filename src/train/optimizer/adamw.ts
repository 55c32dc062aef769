import { float32Tensor, ops, type Graph } from '../../graph/index.js';
import type { ParameterSpec } from '../nin/architecture.js';
import { OptimizerGraph, stateName, updatedName } from './graph-io.js';

export const ADAMW_SCALAR_NAMES = {
  beta1: 'beta1',
  beta2: 'beta2',
  epsilon: 'epsilon',
  /** 1 − beta1^step */
  biasCorrection1: 'bias_correction1',
  /** √(1 − beta2^step) */
  biasCorrection2Sqrt: 'bias_correction2_sqrt',
} as const;

/** PyTorch's state keys for Adam's moments. */
export const EXP_AVG = 'exp_avg';
export const EXP_AVG_SQ = 'exp_avg_sq';

/**
 * One step of torch.optim.AdamW (amsgrad off), for every parameter, in
 * PyTorch's order of operations (torch/optim/adamw.py, _single_tensor_adamw):
 *   param = param · (1 − lr · weight_decay)
 *   m = β1 · m + (1 − β1) · grad;   v = β2 · v + (1 − β2) · grad²
 *   param = param − (lr / bias_correction1) · m / (√v / bias_correction2_sqrt + ε)
 * The bias corrections are inputs, computed in double precision from the
 * step count as PyTorch does (see adamwBiasCorrections).
 *
 * Inputs: learning_rates [P], weight_decays [P], beta1, beta2, epsilon,
 * bias_correction1, bias_correction2_sqrt (scalars), and per parameter `<p>`,
 * `<p>_grad`, `<p>_exp_avg`, `<p>_exp_avg_sq`. Outputs: `<p>_updated`,
 * `<p>_exp_avg_updated`, `<p>_exp_avg_sq_updated`.
 */
export function buildAdamWGraph(
  parameters: readonly ParameterSpec[],
  options: { readonly opsetVersion?: number } = {},
): Graph {
  const graph = new OptimizerGraph('adamw_step', parameters, options.opsetVersion);
  const { g } = graph;
  const beta1 = graph.scalar(ADAMW_SCALAR_NAMES.beta1);
  const beta2 = graph.scalar(ADAMW_SCALAR_NAMES.beta2);
  const epsilon = graph.scalar(ADAMW_SCALAR_NAMES.epsilon);
  const biasCorrection1 = graph.scalar(ADAMW_SCALAR_NAMES.biasCorrection1);
  const biasCorrection2Sqrt = graph.scalar(ADAMW_SCALAR_NAMES.biasCorrection2Sqrt);
  const one = g.constant(float32Tensor([1], []));
  const oneMinusBeta1 = ops.sub(g, one, beta1);
  const oneMinusBeta2 = ops.sub(g, one, beta2);
  graph.forEachParameter([EXP_AVG, EXP_AVG_SQ], ({ name, value, gradient, states, learningRate, weightDecay }) => {
    const decayed = ops.mul(g, value, ops.sub(g, one, ops.mul(g, learningRate, weightDecay)));
    const expAvg = ops.add(g, ops.mul(g, states[EXP_AVG]!, beta1), ops.mul(g, gradient, oneMinusBeta1));
    const expAvgSq = ops.add(
      g,
      ops.mul(g, states[EXP_AVG_SQ]!, beta2),
      ops.mul(g, ops.mul(g, gradient, oneMinusBeta2), gradient),
    );
    const denominator = ops.add(g, ops.div(g, ops.sqrt(g, expAvgSq), biasCorrection2Sqrt), epsilon);
    const stepSize = ops.div(g, learningRate, biasCorrection1);
    g.output(ops.sub(g, decayed, ops.div(g, ops.mul(g, expAvg, stepSize), denominator)), updatedName(name));
    g.output(expAvg, updatedName(stateName(name, EXP_AVG)));
    g.output(expAvgSq, updatedName(stateName(name, EXP_AVG_SQ)));
  });
  return g.build();
}

export interface AdamWStepScalars {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly biasCorrection1: number;
  readonly biasCorrection2Sqrt: number;
}

/** The scalar inputs for step `step` (1 on the first step), in double precision as torch.optim.AdamW computes them. */
export function adamwStepScalars(step: number, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8): AdamWStepScalars {
  if (!Number.isInteger(step) || step < 1)
    throw new Error(`adamwStepScalars: step must be an integer ≥ 1, got ${step}`);
  return {
    beta1,
    beta2,
    epsilon,
    biasCorrection1: 1 - beta1 ** step,
    biasCorrection2Sqrt: Math.sqrt(1 - beta2 ** step),
  };
}
