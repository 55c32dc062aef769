import { architectureById } from '../../../converters/nin/index.js';
import { architectureForwardModel } from '../model/architecture-forward.js';
import type { ForwardModel } from '../model/forward-model.js';
import { ninForwardModel } from '../nin/forward.js';
import { checkpointArchitecture, isNinArchitectureSpec, type TrainingCheckpoint } from './state.js';

/** The forward model of a checkpoint's architecture, with a dynamic batch: what TrainingSession.fromCheckpoint trains. */
export function checkpointForwardModel(
  checkpoint: Pick<TrainingCheckpoint, 'architecture' | 'tensors' | 'frozen'>,
): ForwardModel {
  const spec = checkpoint.architecture;
  if (isNinArchitectureSpec(spec)) return ninForwardModel(checkpointArchitecture(spec));
  const architecture = architectureById(spec.registry);
  if (architecture === undefined) throw new RangeError(`training checkpoint: unknown architecture '${spec.registry}'`);
  return architectureForwardModel(architecture, checkpoint.tensors, { frozen: checkpoint.frozen });
}
