import { architectureById, type Architecture } from '../../convert/index.js';
import { architectureForwardModel } from '../model/architecture-forward.js';
import type { ForwardModel } from '../model/forward-model.js';
import { ninForwardModel } from '../nin/forward.js';
import {
  checkpointArchitecture,
  isNinArchitectureSpec,
  type CustomArchitectureSpec,
  type RegistryArchitectureSpec,
  type TrainingCheckpoint,
} from './state.js';

/** The forward model of a checkpoint's architecture, with a dynamic batch: what TrainingSession.fromCheckpoint trains. */
export function checkpointForwardModel(
  checkpoint: Pick<TrainingCheckpoint, 'architecture' | 'tensors' | 'frozen'>,
): ForwardModel {
  const spec = checkpoint.architecture;
  if (isNinArchitectureSpec(spec)) {
    const model = ninForwardModel(checkpointArchitecture(spec));
    return checkpoint.frozen === undefined ? model : { ...model, frozen: checkpoint.frozen };
  }
  return architectureForwardModel(specArchitecture(spec), checkpoint.tensors, { frozen: checkpoint.frozen });
}

/** The layers of a registry or custom architecture spec. */
export function specArchitecture(spec: RegistryArchitectureSpec | CustomArchitectureSpec): Architecture {
  if ('custom' in spec) return spec.custom;
  if (spec.architecture !== undefined) return spec.architecture;
  const architecture = architectureById(spec.registry);
  if (architecture === undefined) throw new RangeError(`training checkpoint: unknown architecture '${spec.registry}'`);
  return architecture;
}
