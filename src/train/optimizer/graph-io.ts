import { GraphBuilder, ops, type Value } from '../../graph/index.js';
import type { ParameterSpec } from '../nin/architecture.js';

/** Per-parameter learning rates, [P] in parameter order: PyTorch's param_groups flattened to one rate per tensor. */
export const LEARNING_RATES_NAME = 'learning_rates';
/** Per-parameter weight decays, [P] in parameter order. */
export const WEIGHT_DECAYS_NAME = 'weight_decays';

export const gradientName = (parameter: string): string => `${parameter}_grad`;
/** An optimizer state tensor of a parameter, named after PyTorch's optimizer state keys: `<param>_momentum_buffer`, `<param>_exp_avg` … */
export const stateName = (parameter: string, state: string): string => `${parameter}_${state}`;
/** The new value of an input (parameter or state) after the step. */
export const updatedName = (name: string): string => `${name}_updated`;

/** The inputs every optimizer graph shares, and one parameter's learning rate and weight decay sliced out. */
export class OptimizerGraph {
  readonly g: GraphBuilder;
  private readonly learningRates: Value;
  private readonly weightDecays: Value;

  constructor(
    name: string,
    private readonly parameters: readonly ParameterSpec[],
    opsetVersion?: number,
  ) {
    this.g = new GraphBuilder({ name, opsetVersion });
    this.learningRates = this.g.input(LEARNING_RATES_NAME, 'float32', [parameters.length]);
    this.weightDecays = this.g.input(WEIGHT_DECAYS_NAME, 'float32', [parameters.length]);
  }

  scalar(name: string): Value {
    return this.g.input(name, 'float32', []);
  }

  /** For each parameter: its value, gradient and named states as inputs, and its [1]-shaped lr and weight decay. */
  forEachParameter(states: readonly string[], step: (p: ParameterTensors) => void): void {
    this.parameters.forEach((spec, index) => {
      const { g } = this;
      const at = { starts: [index], ends: [index + 1] };
      step({
        name: spec.name,
        value: g.input(spec.name, 'float32', spec.shape),
        gradient: g.input(gradientName(spec.name), 'float32', spec.shape),
        states: Object.fromEntries(states.map((s) => [s, g.input(stateName(spec.name, s), 'float32', spec.shape)])),
        learningRate: ops.slice(g, this.learningRates, at),
        weightDecay: ops.slice(g, this.weightDecays, at),
      });
    });
  }
}

export interface ParameterTensors {
  readonly name: string;
  readonly value: Value;
  readonly gradient: Value;
  readonly states: Readonly<Record<string, Value>>;
  readonly learningRate: Value;
  readonly weightDecay: Value;
}
