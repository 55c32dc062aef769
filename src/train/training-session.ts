/**
 * TrainingSession: ONNX Runtime's former JavaScript TrainingSession (onnxruntime-web ≤ 1.20), rebuilt on the
 * inference builds of onnxruntime-node and onnxruntime-web with the artifacts of buildTrainingArtifacts.
 *
 *   const session = await TrainingSession.create({ checkpointState, trainModel, evalModel, optimizerModel }, { ort, platform: 'node' });
 *   await session.lazyResetGrad();
 *   const loss = await session.runTrainStep({ input, labels, 'classifier.7.mask': …, 'classifier.15.mask': … });
 *   await session.runOptimizerStep({ learningRateScale: 0.1 });
 *
 * What differs from ONNX Runtime's: the parameters, gradients and optimizer state live on the TypeScript side
 * (the artifacts take them as inputs; see buildTrainingGraphs), so any provider that runs the three graphs
 * trains; the hyperparameters (groups, momentum, betas) come with the checkpoint state, and runOptimizerStep takes
 * the schedule's factor for this step. Browser-safe: the ORT module is passed in, as for the Classifier.
 */
import type { InferenceSession, Tensor } from 'onnxruntime-common';
import type { OrtWithTensor } from '../classifier/index.js';
import type { ProviderAttempt, Platform, Provider } from '../runtime/index.js';
import type { TrainingCheckpoint } from './checkpoint/state.js';
import type { TrainingProgress } from './checkpoint/progress.js';
import type { OptimizerSettings } from './optimizer/settings.js';
import { TrainingSessionImpl } from './training-session-impl.js';

/**
 * A step's inputs by graph input name: the images, their one-hot targets, the Dropout masks.
 *
 * @example
 * ```ts
 * import * as ort from 'onnxruntime-node';
 * import type { Feeds } from 'nin-sdk/train';
 * const feeds: Feeds = { input: new ort.Tensor('float32', new Float32Array(3 * 32 * 32), [1, 3, 32, 32]) };
 * ```
 */
export type Feeds = Readonly<Record<string, Tensor>>;

/**
 * What a TrainingSession runs: the run's state and the three models of the training artifacts.
 *
 * @example
 * ```ts
 * import { buildTrainingArtifacts, ninForwardModel, type TrainingCheckpoint, type TrainingSessionArtifacts } from 'nin-sdk/train';
 * import { architectureFromWidths, NIN_CIFAR10 } from 'nin-sdk/train';
 * const architecture = architectureFromWidths(NIN_CIFAR10, [192, 160, 96, 192, 192, 192, 192, 192, 10]);
 * declare const checkpointState: TrainingCheckpoint;
 * const { trainingModel, evalModel, optimizerModel } = buildTrainingArtifacts(ninForwardModel(architecture), { optimizer: 'sgd' });
 * const artifacts: TrainingSessionArtifacts = { checkpointState, trainModel: trainingModel, evalModel, optimizerModel };
 * ```
 */
export interface TrainingSessionArtifacts {
  readonly checkpointState: TrainingCheckpoint | Uint8Array;
  readonly trainModel: Uint8Array;
  /** Needed for runEvalStep. */
  readonly evalModel?: Uint8Array;
  /** Needed for runOptimizerStep; its kind must be the checkpoint's optimizer's. */
  readonly optimizerModel?: Uint8Array;
}

/**
 * Where a TrainingSession runs: the ONNX Runtime module (onnxruntime-node or -web), the providers in order, and
 * ONNX Runtime's session options.
 *
 * @example
 * ```ts
 * import * as ort from 'onnxruntime-node';
 * import { TrainingSession, type TrainingSessionArtifacts, type TrainingSessionOptions } from 'nin-sdk/train';
 * declare const artifacts: TrainingSessionArtifacts;
 * const options: TrainingSessionOptions = { ort, platform: 'node', providers: ['cpu'], sessionOptions: { intraOpNumThreads: 2 } };
 * const session = await TrainingSession.create(artifacts, options);
 * ```
 */
export interface TrainingSessionOptions {
  /** onnxruntime-node or onnxruntime-web. */
  readonly ort: OrtWithTensor;
  readonly platform: Platform;
  /** Ordered preference (default cpu in Node, wasm in browsers); the first that starts the training model runs all three. */
  readonly providers?: readonly Provider[];
  /** Fail when the first provider cannot start, instead of falling back (see openSession). */
  readonly strict?: boolean;
  readonly sessionOptions?: InferenceSession.SessionOptions;
  /** Why a provider cannot start, when the platform knows without ONNX Runtime (see OpenSessionOptions). */
  readonly unavailable?: (provider: Provider) => string | undefined;
}

/**
 * Options of one optimizer step.
 *
 * @example
 * ```ts
 * import type { OptimizerStepOptions, TrainingSession } from 'nin-sdk/train';
 * declare const session: TrainingSession;
 * const options: OptimizerStepOptions = { learningRateScale: 0.5 };
 * await session.runOptimizerStep(options);
 * ```
 */
export interface OptimizerStepOptions {
  /** Factor on every group's learning rate for this step: the schedule's (default 1). */
  readonly learningRateScale?: number;
}

/**
 * What an evaluation step gives: the batch's mean loss and its logits.
 *
 * @example
 * ```ts
 * import type { EvalStepResult, Feeds, TrainingSession } from 'nin-sdk/train';
 * declare const session: TrainingSession;
 * declare const feeds: Feeds;
 * const result: EvalStepResult = await session.runEvalStep(feeds);
 * console.log(result.loss, result.logits.length);
 * ```
 */
export interface EvalStepResult {
  /** Mean cross-entropy over the batch. */
  readonly loss: number;
  /** [batch × classes], row-major. */
  readonly logits: Float32Array;
}

/**
 * A training run in progress: three models on one provider, the parameters and optimizer state beside them.
 *
 * @example
 * ```ts
 * import * as ort from 'onnxruntime-node';
 * import { TrainingSession, type TrainingSessionArtifacts } from 'nin-sdk/train';
 * declare const artifacts: TrainingSessionArtifacts;
 * declare const feeds: Record<string, ort.Tensor>;
 * const session = await TrainingSession.create(artifacts, { ort, platform: 'node' });
 * await session.lazyResetGrad();
 * const loss = await session.runTrainStep(feeds);
 * await session.runOptimizerStep({ learningRateScale: 1 });
 * const checkpoint = await session.saveCheckpoint();
 * await session.release();
 * ```
 */
export interface TrainingSession {
  /** The provider that really runs the models. */
  readonly provider: Provider;
  /** Providers tried first that failed, with why. */
  readonly fallbacks: readonly ProviderAttempt[];
  /** The checkpoint's architecture: how its forward graphs are rebuilt. */
  readonly architecture: TrainingCheckpoint['architecture'];
  readonly optimizer: OptimizerSettings;
  /** Every parameter's name and shape, in order (the checkpoint's layout). */
  readonly tensors: TrainingCheckpoint['tensors'];
  /** Parameters fed but not trained. */
  readonly frozen: TrainingCheckpoint['frozen'];
  /** Inputs runTrainStep expects: `input`, the Dropout masks and `labels` (the parameters are the session's). */
  readonly inputNames: readonly string[];
  readonly evalInputNames: readonly string[];
  /** Optimizer steps taken, counting those of the checkpoint the session started from. */
  readonly step: number;
  /**
   * Runs the training model on a batch and adds its gradients to the accumulated ones (replacing them on the first
   * call after lazyResetGrad, as ONNX Runtime's did). Returns the batch's mean loss.
   */
  runTrainStep(feeds: Feeds): Promise<number>;
  /** Zeroes the accumulated gradients, lazily: the next runTrainStep overwrites them instead of adding. */
  lazyResetGrad(): Promise<void>;
  /** One optimizer step with the accumulated gradients (zero if none were computed since the last reset). */
  runOptimizerStep(options?: OptimizerStepOptions): Promise<void>;
  /** Loss and logits of a batch with the current parameters, without Dropout (PyTorch's model.eval()). */
  runEvalStep(feeds: Feeds): Promise<EvalStepResult>;
  /** Values in the trainable parameters, or in all of them (as ONNX Runtime's). */
  getParametersSize(trainableOnly?: boolean): number;
  /** A copy of the trainable (or all) parameters as one float32 tensor, in state_dict order. */
  getContiguousParameters(trainableOnly?: boolean): Promise<Tensor>;
  /** Replaces the trainable (or all) parameters from float32 values in state_dict order (bytes or a Float32Array). */
  loadParametersBuffer(buffer: Uint8Array | Float32Array, trainableOnly?: boolean): Promise<void>;
  /** A snapshot of the session's state (copies), with the training loop's progress if given. */
  getState(progress?: TrainingProgress): Promise<TrainingCheckpoint>;
  /** getState, encoded as a checkpoint file (see checkpoint/format.ts). */
  saveCheckpoint(progress?: TrainingProgress): Promise<Uint8Array>;
  release(): Promise<void>;
}

/**
 * How sessions are made, as ONNX Runtime's TrainingSessionFactory.
 *
 * @example
 * ```ts
 * import { TrainingSession, type TrainingSessionFactory } from 'nin-sdk/train';
 * const factory: TrainingSessionFactory = TrainingSession;
 * console.log(typeof factory.create, typeof factory.fromCheckpoint);
 * ```
 */
export interface TrainingSessionFactory {
  /**
   * Opens the three models on the first provider that starts the training model (the others then run on that
   * same provider, or fail), and takes the parameters and optimizer state from the checkpoint.
   */
  create(artifacts: TrainingSessionArtifacts, options: TrainingSessionOptions): Promise<TrainingSession>;
  /**
   * create() with artifacts built here for the checkpoint's architecture (a NIN, or a registry architecture as its
   * BatchNorm-folded copy) and optimizer (buildTrainingArtifacts, dynamic batch).
   */
  fromCheckpoint(
    checkpointState: TrainingCheckpoint | Uint8Array,
    options: TrainingSessionOptions,
  ): Promise<TrainingSession>;
}

/**
 * Starts training sessions: from artifacts, or from a training checkpoint alone (the artifacts rebuilt from the
 * architecture it records).
 *
 * @example
 * ```ts
 * import * as ort from 'onnxruntime-node';
 * import { TrainingSession } from 'nin-sdk/train';
 * import { readFileSync } from 'node:fs';
 * const session = await TrainingSession.fromCheckpoint(readFileSync('checkpoint.nintrain'), { ort, platform: 'node' });
 * console.log(session.step, session.provider);
 * ```
 */
export const TrainingSession: TrainingSessionFactory = TrainingSessionImpl;
