import type { TrainingCheckpoint } from '../checkpoint/state.js';
import { isRunningStatistic } from '../nin/architecture.js';
import type { TrainingSession, TrainingSessionOptions } from '../training-session.js';
import { TrainingSessionImpl } from '../training-session-impl.js';
import { openReplicatedTrainModel } from './replicated-train-model.js';

export interface NodeTrainingSession {
  readonly session: TrainingSession;
  /** Replicas of the training model, each on a share of every batch with one thread (1: one session, all threads). */
  readonly replicas: number;
}

/**
 * A TrainingSession as `nin-sdk train` opens one on Node with `threads` CPU threads: on the CPU, for a model
 * without batch statistics, that many replicas of the training model, each on its share of the batch in a worker
 * thread (train/node/replicated-train-model.ts says why); otherwise one session with `threads` intra-op threads
 * (a GPU, or BatchNorm, which needs the whole batch's statistics). The eval and optimizer models run here as always.
 */
export async function openNodeTrainingSession(
  checkpoint: TrainingCheckpoint,
  options: TrainingSessionOptions,
  threads: number,
): Promise<NodeTrainingSession> {
  const onCpu = (options.providers ?? ['cpu'])[0] === 'cpu';
  const batchStatistics = checkpoint.tensors.some((t) => isRunningStatistic(t.name));
  const replicas = onCpu && !batchStatistics && threads > 1 ? threads : 1;
  const withThreads = { ...options, sessionOptions: { ...options.sessionOptions, intraOpNumThreads: threads } };
  const session = await TrainingSessionImpl.fromCheckpoint(
    checkpoint,
    withThreads,
    replicas > 1 ? openReplicatedTrainModel(replicas) : undefined,
  );
  return { session, replicas };
}
