import type { OptimizerKind } from '../artifacts.js';
import { adamwStepScalars, ADAMW_SCALAR_NAMES, EXP_AVG, EXP_AVG_SQ } from './adamw.js';
import type { ParameterGroup } from './parameter-groups.js';
import { MOMENTUM_BUFFER, SGD_MOMENTUM_NAME } from './sgd.js';
import { isRecord } from '../../guards.js';

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

export interface SgdSettings {
  readonly kind: 'sgd';
  readonly groups: readonly ParameterGroup[];
  readonly momentum: number;
  /** Fixed in optimizer_model.onnx when it is built (buildTrainingArtifacts' `nesterov`). */
  readonly nesterov: boolean;
}

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

/** Throws RangeError unless `value` (e.g. from JSON) is a well-formed OptimizerSettings whose groups cover `parameterNames`. */
export function checkOptimizerSettings(value: unknown, parameterNames: readonly string[]): OptimizerSettings {
  const where = 'optimizer settings';
  if (!isRecord(value)) throw new RangeError(`${where}: expected an object`);
  const finite = (key: string): number => {
    const v = value[key];
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new RangeError(`${where}: ${key} must be a finite number, got ${String(v)}`);
    return v;
  };
  const groups = checkGroups(value['groups'], parameterNames);
  if (value['kind'] === 'sgd') {
    if (typeof value['nesterov'] !== 'boolean') throw new RangeError(`${where}: nesterov must be true or false`);
    return { kind: 'sgd', groups, momentum: finite('momentum'), nesterov: value['nesterov'] };
  }
  if (value['kind'] === 'adamw')
    return { kind: 'adamw', groups, beta1: finite('beta1'), beta2: finite('beta2'), epsilon: finite('epsilon') };
  throw new RangeError(`${where}: kind should be one of sgd, adamw; got ${String(value['kind'])}`);
}

function checkGroups(value: unknown, parameterNames: readonly string[]): ParameterGroup[] {
  if (!Array.isArray(value)) throw new RangeError('optimizer settings: groups must be an array');
  const covered = new Set<string>();
  const groups = value.map((group: unknown, i): ParameterGroup => {
    if (!isRecord(group)) throw new RangeError(`optimizer settings: group ${i} must be an object`);
    const { name, parameters, lr, weightDecay } = group;
    if (typeof name !== 'string') throw new RangeError(`optimizer settings: group ${i} needs a name`);
    if (!Array.isArray(parameters) || !parameters.every((p): p is string => typeof p === 'string')) {
      throw new RangeError(`optimizer settings: group ${name}: parameters must be an array of names`);
    }
    if (
      typeof lr !== 'number' ||
      !Number.isFinite(lr) ||
      typeof weightDecay !== 'number' ||
      !Number.isFinite(weightDecay)
    ) {
      throw new RangeError(`optimizer settings: group ${name}: lr and weightDecay must be finite numbers`);
    }
    for (const p of parameters) {
      if (covered.has(p)) throw new RangeError(`optimizer settings: ${p} is in more than one group`);
      covered.add(p);
    }
    return { name, parameters, lr, weightDecay };
  });
  const missing = parameterNames.filter((p) => !covered.has(p));
  if (missing.length > 0) throw new RangeError(`optimizer settings: ${missing.join(', ')} in no group`);
  const unknown = [...covered].filter((p) => !parameterNames.includes(p));
  if (unknown.length > 0)
    throw new RangeError(`optimizer settings: groups name ${unknown.join(', ')}, which the model does not have`);
  return groups;
}
