import type { Tensor } from 'onnxruntime-common';
import type { CheckedModel } from '../model/index.js';
import { openSession, type OpenSessionOptions, type ProviderAttempt, type Provider } from '../runtime/index.js';
import type { OrtWithTensor } from '../classifier/index.js';

/**
 * What runs a TrainingSession's training model: ONNX Runtime's session on this thread, or (Node, CPU) replicas of
 * it in worker threads, each on a share of the batch (train/node/replicated-train-model.ts). Either way a run's
 * outputs are the whole batch's: its mean loss and the gradients of that mean.
 */
export interface TrainModelRunner {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /**
   * Whether each share of the batch runs apart: then any statistic of the batch inside the model (BatchNorm's)
   * would be a share's, so TrainingSession refuses such models on it.
   */
  readonly splitsBatch: boolean;
  run(feeds: Readonly<Record<string, Tensor>>): Promise<Readonly<Record<string, Pick<Tensor, 'data'>>>>;
  release(): Promise<void>;
}

export interface OpenedTrainModel {
  readonly runner: TrainModelRunner;
  /** The provider that really runs the model. */
  readonly provider: Provider;
  /** Providers tried first that failed, with why. */
  readonly fallbacks: readonly ProviderAttempt[];
}

/** Opens the (checked) training model on the first provider of `options` that starts. */
export type TrainModelOpener = (
  ort: OrtWithTensor,
  model: CheckedModel,
  options: OpenSessionOptions,
) => Promise<OpenedTrainModel>;

/** The default: one ONNX Runtime session on this thread, with the session options' intra-op threads. */
export const openTrainModelHere: TrainModelOpener = async (ort, model, options) => {
  const { session, provider, fallbacks } = await openSession(ort, model, options);
  return {
    runner: {
      inputNames: session.inputNames,
      outputNames: session.outputNames,
      splitsBatch: false,
      run: (feeds) => session.run(feeds),
      release: () => session.release(),
    },
    provider,
    fallbacks,
  };
};
