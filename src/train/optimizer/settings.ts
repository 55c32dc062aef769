import type { OptimizerKind } from '../artifacts.js';
import { adamwStepScalars, ADAMW_SCALAR_NAMES, EXP_AVG, EXP_AVG_SQ } from './adamw.js';
import type { ParameterGroup } from './parameter-groups.js';
import { MOMENTUM_BUFFER, SGD_MOMENTUM_NAME } from './sgd.js';
import * as v from 'valibot';
import { boundedArray, boundedString, finiteNumber, got, oneOf, parseUntrusted, record } from '../../schema/index.js';

/**
 * An optimizer's settings: SGD with momentum, or AdamW, with learning rates and weight decay per parameter group.
 *
 * @example
 * ```ts
 * import { recipeOptimizer, type OptimizerSettings } from 'nin-sdk/train';
 * const settings: OptimizerSettings = recipeOptimizer('sgd', ['classifier.0.weight', 'classifier.0.bias'], 'classifier.0', 0.1);
 * console.log(settings.kind, settings.groups.length);
 * ```
 */
export type OptimizerSettings = SgdSettings | AdamWSettings;

/**
 * SGD with momentum (PyTorch's torch.optim.SGD), by parameter group.
 *
 * @example
 * ```ts
 * import type { OptimizerSettings, SgdSettings } from 'nin-sdk/train';
 * declare const settings: OptimizerSettings;
 * if (settings.kind === 'sgd') {
 *   const sgd: SgdSettings = settings;
 *   console.log(sgd.momentum, sgd.nesterov, sgd.groups.length);
 * }
 * ```
 */
export interface SgdSettings {
  readonly kind: 'sgd';
  readonly groups: readonly ParameterGroup[];
  readonly momentum: number;
  /** Fixed in optimizer_model.onnx when it is built (buildTrainingArtifacts' `nesterov`). */
  readonly nesterov: boolean;
}

/**
 * AdamW (PyTorch's torch.optim.AdamW), by parameter group.
 *
 * @example
 * ```ts
 * import type { AdamWSettings, OptimizerSettings } from 'nin-sdk/train';
 * declare const settings: OptimizerSettings;
 * if (settings.kind === 'adamw') {
 *   const adamw: AdamWSettings = settings;
 *   console.log(adamw.beta1, adamw.beta2, adamw.epsilon);
 * }
 * ```
 */
export interface AdamWSettings {
  readonly kind: 'adamw';
  readonly groups: readonly ParameterGroup[];
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
}

/** PyTorch's optimizer state keys of each kind: one tensor per parameter each, `<param>_<key>` in the optimizer graph. */
export const OPTIMIZER_STATE_KEYS: Readonly<Record<OptimizerKind, readonly string[]>> = Object.freeze({
  sgd: Object.freeze([MOMENTUM_BUFFER]),
  adamw: Object.freeze([EXP_AVG, EXP_AVG_SQ]),
});

/**
 * The scalar inputs of optimizer_model.onnx for optimizer step `step` (1 on the first): SGD's momentum, or AdamW's
 * betas, epsilon and the bias corrections of that step.
 */
export function optimizerScalars(settings: OptimizerSettings, step: number): Readonly<Record<string, number>> {
  if (settings.kind === 'sgd') return { [SGD_MOMENTUM_NAME]: settings.momentum };
  const s = adamwStepScalars(step, settings.beta1, settings.beta2, settings.epsilon);
  return {
    [ADAMW_SCALAR_NAMES.beta1]: s.beta1,
    [ADAMW_SCALAR_NAMES.beta2]: s.beta2,
    [ADAMW_SCALAR_NAMES.epsilon]: s.epsilon,
    [ADAMW_SCALAR_NAMES.biasCorrection1]: s.biasCorrection1,
    [ADAMW_SCALAR_NAMES.biasCorrection2Sqrt]: s.biasCorrection2Sqrt,
  };
}

/** Bounds of settings read from a checkpoint: far above any NIN's (tens of parameters, three groups). */
const MAX_GROUPS = 256;
const MAX_PARAMETERS = 10_000;
const MAX_NAME_LENGTH = 1024;

const name = boundedString(MAX_NAME_LENGTH);
const GROUP = record({
  name,
  parameters: boundedArray(name, MAX_PARAMETERS, `must be an array of at most ${MAX_PARAMETERS} names`),
  lr: finiteNumber(),
  weightDecay: finiteNumber(),
});
const GROUPS = boundedArray(GROUP, MAX_GROUPS, `must be an array of at most ${MAX_GROUPS} groups`);
const KIND = record({ kind: oneOf(['sgd', 'adamw']) });
const SGD = record({
  kind: v.literal('sgd'),
  groups: GROUPS,
  momentum: finiteNumber(),
  nesterov: v.boolean(got('must be true or false')),
});
const ADAMW = record({
  kind: v.literal('adamw'),
  groups: GROUPS,
  beta1: finiteNumber(),
  beta2: finiteNumber(),
  epsilon: finiteNumber(),
});

/** Throws RangeError unless `value` (e.g. from JSON) is a well-formed OptimizerSettings whose groups cover `parameterNames`. */
export function checkOptimizerSettings(value: unknown, parameterNames: readonly string[]): OptimizerSettings {
  const where = 'optimizer settings';
  const { kind } = parseUntrusted(KIND, value, where);
  const settings: OptimizerSettings =
    kind === 'sgd' ? parseUntrusted(SGD, value, where) : parseUntrusted(ADAMW, value, where);
  checkCoverage(settings.groups, parameterNames);
  return settings;
}

/** Each parameter of the model in exactly one group, and no other. */
function checkCoverage(groups: readonly ParameterGroup[], parameterNames: readonly string[]): void {
  const covered = new Set<string>();
  for (const group of groups) {
    for (const p of group.parameters) {
      if (covered.has(p)) throw new RangeError(`optimizer settings: ${p} is in more than one group`);
      covered.add(p);
    }
  }
  const missing = parameterNames.filter((p) => !covered.has(p));
  if (missing.length > 0) throw new RangeError(`optimizer settings: ${missing.join(', ')} in no group`);
  const known = new Set(parameterNames);
  const unknown = [...covered].filter((p) => !known.has(p));
  if (unknown.length > 0)
    throw new RangeError(`optimizer settings: groups name ${unknown.join(', ')}, which the model does not have`);
}
