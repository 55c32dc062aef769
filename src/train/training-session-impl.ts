/** The implementation of TrainingSession: see training-session.ts for what it is and its interface. */
import type { InferenceSession, Tensor } from 'onnxruntime-common';
import type {
  EvalStepResult,
  Feeds,
  OptimizerStepOptions,
  TrainingSession,
  TrainingSessionArtifacts,
  TrainingSessionOptions,
} from './training-session.js';
import type { OrtWithTensor } from '../classifier/index.js';
import { isRecord } from '../schema/index.js';
import { checkModel, type ModelPolicy, IR_OPERATORS } from '../model/index.js';
import { openSession, type ProviderAttempt, type Provider } from '../runtime/index.js';
import { openTrainModelHere, type TrainModelOpener, type TrainModelRunner } from './train-model-runner.js';
import { buildTrainingArtifacts, LOGITS_NAME, LOSS_NAME } from './artifacts.js';
import { decodeTrainingCheckpoint, encodeTrainingCheckpoint } from './checkpoint/format.js';
import { checkpointForwardModel } from './checkpoint/forward.js';
import type { TrainingProgress } from './checkpoint/progress.js';
import { parameterSlots, trainableTensors, type ParameterSlot, type TrainingCheckpoint } from './checkpoint/state.js';
import { nextValueName } from './model/batch-norm.js';
import { isRunningStatistic } from './nin/architecture.js';
import { gradientName, LEARNING_RATES_NAME, stateName, updatedName, WEIGHT_DECAYS_NAME } from './optimizer/graph-io.js';
import { hyperparameterVectors, type HyperparameterVectors } from './optimizer/parameter-groups.js';
import { OPTIMIZER_STATE_KEYS, optimizerScalars, type OptimizerSettings } from './optimizer/settings.js';

/** The implementation of {@link TrainingSession} (see training-session.ts for the interface users see). */
/**
 * Training artifacts are graphs of the IR (src/train/artifacts.ts writes them), checked as any model is before ONNX
 * Runtime loads them, with the IR's operators allowed (gradients need more than a classifier's forward pass).
 * Intermediate sizes are not bounded: a training batch's gradients are as large as the weights and the batch ask.
 */
const TRAINING_POLICY: ModelPolicy = { operators: IR_OPERATORS, boundIntermediates: false };

export class TrainingSessionImpl implements TrainingSession {
  readonly architecture: TrainingCheckpoint['architecture'];
  readonly optimizer: OptimizerSettings;
  /** Every parameter's name and shape, in order (the checkpoint's layout). */
  readonly tensors: TrainingCheckpoint['tensors'];
  /** Parameters fed but not trained. */
  readonly frozen: TrainingCheckpoint['frozen'];
  private readonly slots: readonly ParameterSlot[];
  /** The slots that get gradients and updates (all but the frozen). */
  private readonly trainable: readonly ParameterSlot[];
  /** BatchNorm's running statistics: the training model outputs their values after each step (`<name>.next`). */
  private readonly buffers: readonly ParameterSlot[];
  private readonly parameters: Float32Array;
  private readonly gradients: Float32Array;
  private readonly optimizerState: Readonly<Record<string, Float32Array>>;
  /** ORT tensors over views of the buffers above, made once: the buffers are updated in place. */
  private readonly parameterFeeds: Readonly<Record<string, Tensor>>;
  private readonly optimizerFeeds: Readonly<Record<string, Tensor>>;
  private steps: number;
  private resetPending = true;
  private queue: Promise<unknown> = Promise.resolve();
  private released = false;
  private hyperparameters: { readonly scale: number; readonly feeds: Readonly<Record<string, Tensor>> } | undefined;

  private constructor(
    checkpoint: TrainingCheckpoint,
    private readonly ort: OrtWithTensor,
    /** The provider that really runs the models. */
    readonly provider: Provider,
    /** Providers tried first that failed, with why. */
    readonly fallbacks: readonly ProviderAttempt[],
    private readonly train: TrainModelRunner,
    private readonly evaluation: InferenceSession | undefined,
    private readonly optimizerSession: InferenceSession | undefined,
  ) {
    this.architecture = checkpoint.architecture;
    this.optimizer = checkpoint.optimizer;
    this.tensors = checkpoint.tensors;
    this.frozen = checkpoint.frozen;
    this.slots = parameterSlots(checkpoint.tensors);
    const trainableNames = new Set(trainableTensors(checkpoint).map((t) => t.name));
    this.trainable = this.slots.filter((s) => trainableNames.has(s.name));
    this.buffers = this.slots.filter((s) => isRunningStatistic(s.name));
    this.parameters = checkpoint.parameters.slice();
    this.gradients = new Float32Array(this.parameters.length);
    this.optimizerState = Object.fromEntries(
      OPTIMIZER_STATE_KEYS[checkpoint.optimizer.kind].map((key) => [key, checkpoint.optimizerState[key]!.slice()]),
    );
    this.steps = checkpoint.step;
    this.parameterFeeds = this.viewFeeds(this.slots, this.parameters, (name) => name);
    const stateFeeds = Object.entries(this.optimizerState).map(([key, buffer]) =>
      this.viewFeeds(this.trainable, buffer, (name) => stateName(name, key)),
    );
    this.optimizerFeeds = Object.assign(
      {},
      this.viewFeeds(this.trainable, this.parameters, (name) => name),
      this.viewFeeds(this.trainable, this.gradients, gradientName),
      ...stateFeeds,
    );
  }

  /**
   * Opens the three models on the first provider that starts the training model (the others then run on that
   * same provider, or fail), and takes the parameters and optimizer state from the checkpoint. The training model
   * is opened by `openTrainModel` (Node's replicas in worker threads, or by default a session on this thread).
   */
  static async create(
    artifacts: TrainingSessionArtifacts,
    options: TrainingSessionOptions,
    openTrainModel: TrainModelOpener = openTrainModelHere,
  ): Promise<TrainingSessionImpl> {
    const checkpoint =
      artifacts.checkpointState instanceof Uint8Array
        ? decodeTrainingCheckpoint(artifacts.checkpointState)
        : artifacts.checkpointState;
    checkCheckpointBuffers(checkpoint);
    const { ort, platform, sessionOptions } = options;
    const providers = options.providers ?? [platform === 'node' ? 'cpu' : 'wasm'];
    const train = await openTrainModel(ort, checkModel(artifacts.trainModel, 'the training model', TRAINING_POLICY), {
      providers,
      strict: options.strict,
      platform,
      sessionOptions,
      ...(options.unavailable === undefined ? {} : { unavailable: options.unavailable }),
    });
    const opened: { release(): Promise<void> }[] = [train.runner];
    try {
      const onSameProvider = async (
        model: Uint8Array | undefined,
        which: string,
        options: InferenceSession.SessionOptions | undefined = sessionOptions,
      ): Promise<InferenceSession | undefined> => {
        if (model === undefined) return undefined;
        const { session } = await openSession(ort, checkModel(model, which, TRAINING_POLICY), {
          providers: [train.provider],
          strict: true,
          platform,
          sessionOptions: options,
        });
        opened.push(session);
        return session;
      };
      const evaluation = await onSameProvider(artifacts.evalModel, 'the eval model');
      const optimizer = await onSameProvider(
        artifacts.optimizerModel,
        'the optimizer model',
        optimizerSessionOptions(sessionOptions),
      );
      checkModels(checkpoint, train.runner, evaluation, optimizer);
      return new TrainingSessionImpl(
        checkpoint,
        ort,
        train.provider,
        train.fallbacks,
        train.runner,
        evaluation,
        optimizer,
      );
    } catch (error) {
      await Promise.all(opened.map((s) => s.release()));
      throw error;
    }
  }

  /**
   * create() with artifacts built here for the checkpoint's architecture (a NIN, or a registry architecture as its
   * BatchNorm-folded copy) and optimizer (buildTrainingArtifacts, dynamic batch).
   */
  static async fromCheckpoint(
    checkpointState: TrainingCheckpoint | Uint8Array,
    options: TrainingSessionOptions,
    openTrainModel?: TrainModelOpener,
  ): Promise<TrainingSessionImpl> {
    const checkpoint =
      checkpointState instanceof Uint8Array ? decodeTrainingCheckpoint(checkpointState) : checkpointState;
    const { optimizer } = checkpoint;
    const artifacts = buildTrainingArtifacts(checkpointForwardModel(checkpoint), {
      optimizer: optimizer.kind,
      ...(optimizer.kind === 'sgd' ? { nesterov: optimizer.nesterov } : {}),
    });
    return TrainingSessionImpl.create(
      {
        checkpointState: checkpoint,
        trainModel: artifacts.trainingModel,
        evalModel: artifacts.evalModel,
        optimizerModel: artifacts.optimizerModel,
      },
      options,
      openTrainModel,
    );
  }

  /** Inputs runTrainStep expects: `input`, `labels` and the Dropout masks (the parameters are the session's). */
  get inputNames(): readonly string[] {
    return this.train.inputNames.filter((name) => !(name in this.parameterFeeds));
  }

  get evalInputNames(): readonly string[] {
    return this.evaluation?.inputNames.filter((name) => !(name in this.parameterFeeds)) ?? [];
  }

  /** Optimizer steps taken, counting those of the checkpoint the session started from. */
  get step(): number {
    return this.steps;
  }

  /**
   * Runs the training model on a batch and adds its gradients to the accumulated ones (replacing them on the first
   * call after lazyResetGrad, as ONNX Runtime's did). Returns the batch's mean loss.
   */
  runTrainStep(feeds: Feeds): Promise<number> {
    return this.enqueue(async () => {
      const outputs = await this.train.run({
        ...checkFeeds(feeds, this.inputNames, 'runTrainStep'),
        ...this.parameterFeeds,
      });
      const reset = this.resetPending;
      for (const slot of this.trainable) {
        const gradient = floatData(outputs, gradientName(slot.name));
        if (reset) {
          this.gradients.set(gradient, slot.offset);
        } else {
          const sum = this.gradients.subarray(slot.offset, slot.offset + slot.length);
          for (let i = 0; i < sum.length; i++) sum[i]! += gradient[i]!;
        }
      }
      this.resetPending = false;
      for (const slot of this.buffers) this.parameters.set(floatData(outputs, nextValueName(slot.name)), slot.offset);
      return floatData(outputs, LOSS_NAME)[0]!;
    });
  }

  /** Zeroes the accumulated gradients, lazily: the next runTrainStep overwrites them instead of adding. */
  lazyResetGrad(): Promise<void> {
    return this.enqueue(async () => {
      this.resetPending = true;
    });
  }

  /** One optimizer step with the accumulated gradients (zero if none were computed since the last reset). */
  runOptimizerStep(options: OptimizerStepOptions = {}): Promise<void> {
    return this.enqueue(async () => {
      const session = this.optimizerSession;
      if (session === undefined)
        throw new Error('runOptimizerStep: the session was created without an optimizer model');
      const scale = options.learningRateScale ?? 1;
      if (!(Number.isFinite(scale) && scale >= 0))
        throw new RangeError(`runOptimizerStep: learningRateScale must be a finite number ≥ 0, got ${scale}`);
      if (this.resetPending) this.gradients.fill(0);
      this.resetPending = false;
      const step = this.steps + 1;
      const scalars = Object.fromEntries(
        Object.entries(optimizerScalars(this.optimizer, step)).map(([name, value]) => [
          name,
          new this.ort.Tensor('float32', Float32Array.of(value), []),
        ]),
      );
      const outputs = await session.run({ ...this.optimizerFeeds, ...this.hyperparameterFeeds(scale), ...scalars });
      for (const slot of this.trainable) {
        this.parameters.set(floatData(outputs, updatedName(slot.name)), slot.offset);
        for (const [key, buffer] of Object.entries(this.optimizerState)) {
          buffer.set(floatData(outputs, updatedName(stateName(slot.name, key))), slot.offset);
        }
      }
      this.steps = step;
    });
  }

  /** Loss and logits of a batch with the current parameters, without Dropout (PyTorch's model.eval()). */
  runEvalStep(feeds: Feeds): Promise<EvalStepResult> {
    return this.enqueue(async () => {
      const session = this.evaluation;
      if (session === undefined) throw new Error('runEvalStep: the session was created without an eval model');
      const outputs = await session.run({
        ...checkFeeds(feeds, this.evalInputNames, 'runEvalStep'),
        ...this.parameterFeeds,
      });
      return { loss: floatData(outputs, LOSS_NAME)[0]!, logits: floatData(outputs, LOGITS_NAME) };
    });
  }

  /** Values in the trainable parameters, or in all of them (as ONNX Runtime's). */
  getParametersSize(trainableOnly = true): number {
    return this.slotsOf(trainableOnly).reduce((sum, s) => sum + s.length, 0);
  }

  /** A copy of the trainable (or all) parameters as one float32 tensor, in state_dict order. */
  getContiguousParameters(trainableOnly = true): Promise<Tensor> {
    return this.enqueue(async () => {
      const slots = this.slotsOf(trainableOnly);
      const values = new Float32Array(this.getParametersSize(trainableOnly));
      let at = 0;
      for (const s of slots) {
        values.set(this.parameters.subarray(s.offset, s.offset + s.length), at);
        at += s.length;
      }
      return new this.ort.Tensor('float32', values, [values.length]);
    });
  }

  /**
   * Replaces the trainable (or all) parameters from float32 values in state_dict order: raw little-endian bytes (as
   * ONNX Runtime's) or a Float32Array.
   */
  loadParametersBuffer(buffer: Uint8Array | Float32Array, trainableOnly = true): Promise<void> {
    return this.enqueue(async () => {
      const size = this.getParametersSize(trainableOnly);
      if (buffer.byteLength !== 4 * size) {
        throw new RangeError(
          `loadParametersBuffer: expected ${size} float32 values (${4 * size} bytes), got ${buffer.byteLength} bytes`,
        );
      }
      const values = buffer instanceof Float32Array ? buffer : new Float32Array(buffer.slice().buffer);
      let at = 0;
      for (const s of this.slotsOf(trainableOnly)) {
        this.parameters.set(values.subarray(at, at + s.length), s.offset);
        at += s.length;
      }
    });
  }

  /** A snapshot of the session's state (copies), with the training loop's progress if given. */
  getState(progress?: TrainingProgress): Promise<TrainingCheckpoint> {
    return this.enqueue(async () => ({
      architecture: this.architecture,
      tensors: this.tensors,
      ...(this.frozen === undefined ? {} : { frozen: this.frozen }),
      optimizer: this.optimizer,
      step: this.steps,
      parameters: this.parameters.slice(),
      optimizerState: Object.fromEntries(
        Object.entries(this.optimizerState).map(([key, buffer]) => [key, buffer.slice()]),
      ),
      ...(progress === undefined ? {} : { progress }),
    }));
  }

  /** getState, encoded as a checkpoint file (see checkpoint/format.ts). */
  async saveCheckpoint(progress?: TrainingProgress): Promise<Uint8Array> {
    return encodeTrainingCheckpoint(await this.getState(progress));
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.queue.catch(() => undefined);
    await Promise.all([this.train, this.evaluation, this.optimizerSession].map((s) => s?.release()));
  }

  /** Runs operations one at a time, in call order: a run reads the buffers that the next optimizer step rewrites. */
  private enqueue<T>(operation: () => Promise<T>): Promise<T> {
    if (this.released) return Promise.reject(new Error('this training session has been released'));
    const next = this.queue.then(operation);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private slotsOf(trainableOnly: boolean): readonly ParameterSlot[] {
    return trainableOnly ? this.trainable : this.slots;
  }

  private viewFeeds(
    slots: readonly ParameterSlot[],
    buffer: Float32Array,
    nameOf: (parameter: string) => string,
  ): Record<string, Tensor> {
    return Object.fromEntries(
      slots.map((s) => [
        nameOf(s.name),
        new this.ort.Tensor('float32', buffer.subarray(s.offset, s.offset + s.length), s.shape),
      ]),
    );
  }

  /** learning_rates and weight_decays for this scale, kept while the scale stays the same (it does for whole epochs). */
  private hyperparameterFeeds(scale: number): Readonly<Record<string, Tensor>> {
    if (this.hyperparameters?.scale !== scale) {
      const names = this.trainable.map((s) => s.name);
      const { learningRates, weightDecays }: HyperparameterVectors = hyperparameterVectors(
        names,
        this.optimizer.groups,
        scale,
      );
      this.hyperparameters = {
        scale,
        feeds: {
          [LEARNING_RATES_NAME]: new this.ort.Tensor('float32', learningRates, [names.length]),
          [WEIGHT_DECAYS_NAME]: new this.ort.Tensor('float32', weightDecays, [names.length]),
        },
      };
    }
    return this.hyperparameters.feeds;
  }
}

/**
 * The optimizer model's session: one intra-op thread whose pool sleeps between runs. Its graph is ~150 elementwise
 * ops on vectors of at most a few hundred thousand values, for which splitting each op across threads costs more in
 * hand-offs than it saves (with two threads a step took many times longer than with one on a loaded 2-core machine:
 * docs/benchmarks.md); and a pool that spins after its run would take cores from the training model's run that
 * follows (bench/paired-session-options.ts measured what an idle session's spinning costs another).
 */
function optimizerSessionOptions(
  options: InferenceSession.SessionOptions | undefined,
): InferenceSession.SessionOptions {
  const record = (value: unknown): Record<string, unknown> => (isRecord(value) ? value : {});
  const extra = record(options?.extra);
  const session = record(extra['session']);
  const intraOp = record(session['intra_op']);
  return {
    ...options,
    intraOpNumThreads: 1,
    extra: { ...extra, session: { ...session, intra_op: { ...intraOp, allow_spinning: '0' } } },
  };
}

/** The feeds a step needs, exactly: a missing or unknown name is an error that lists the expected ones. */
function checkFeeds(feeds: Feeds, expected: readonly string[], method: string): Feeds {
  const missing = expected.filter((name) => !(name in feeds));
  const unknown = Object.keys(feeds).filter((name) => !expected.includes(name));
  if (missing.length > 0 || unknown.length > 0) {
    const problems = [
      missing.length > 0 ? `missing ${missing.join(', ')}` : '',
      unknown.length > 0 ? `unknown ${unknown.join(', ')}` : '',
    ].filter(Boolean);
    throw new RangeError(`${method}: ${problems.join('; ')} (expected feeds: ${expected.join(', ')})`);
  }
  return feeds;
}

function floatData(outputs: Readonly<Record<string, Pick<Tensor, 'data'>>>, name: string): Float32Array {
  const value = outputs[name];
  if (value === undefined || !(value.data instanceof Float32Array))
    throw new Error(`internal: the model gave no float32 output '${name}'`);
  return value.data;
}

function checkCheckpointBuffers(checkpoint: TrainingCheckpoint): void {
  const total = parameterSlots(checkpoint.tensors).reduce((sum, s) => sum + s.length, 0);
  if (checkpoint.parameters.length !== total)
    throw new RangeError(
      `checkpoint state: ${checkpoint.parameters.length} parameter values, the architecture has ${total}`,
    );
  for (const key of OPTIMIZER_STATE_KEYS[checkpoint.optimizer.kind]) {
    const state = checkpoint.optimizerState[key];
    if (state?.length !== total)
      throw new RangeError(
        `checkpoint state: optimizer state '${key}' should hold ${total} values, got ${state?.length ?? 'none'}`,
      );
  }
}

/** The models must be the checkpoint's: every parameter an input of each, and the optimizer of the checkpoint's kind. */
function checkModels(
  checkpoint: TrainingCheckpoint,
  train: TrainModelRunner,
  evaluation: InferenceSession | undefined,
  optimizer: InferenceSession | undefined,
): void {
  const names = checkpoint.tensors.map((p) => p.name);
  const trainable = trainableTensors(checkpoint).map((p) => p.name);
  const requireInputs = (
    session: Pick<InferenceSession, 'inputNames'>,
    which: string,
    inputs: readonly string[],
  ): void => {
    const missing = inputs.filter((name) => !session.inputNames.includes(name));
    if (missing.length > 0) {
      throw new RangeError(
        `TrainingSession.create: the ${which} model does not match the checkpoint: it has no input ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''}`,
      );
    }
  };
  requireInputs(train, 'training', names);
  const buffers = names.filter(isRunningStatistic).map(nextValueName);
  if (buffers.length > 0 && train.splitsBatch)
    throw new RangeError(
      'TrainingSession.create: a model with BatchNorm cannot be trained on shares of the batch apart (each would be normalized by its own share)',
    );
  if (!buffers.every((name) => train.outputNames.includes(name)))
    throw new RangeError(
      "TrainingSession.create: the training model does not update the checkpoint's running statistics",
    );
  if (!trainable.every((name) => train.outputNames.includes(gradientName(name))))
    throw new RangeError(
      "TrainingSession.create: the training model gives no gradients for the checkpoint's parameters",
    );
  if (evaluation !== undefined) requireInputs(evaluation, 'eval', names);
  if (optimizer !== undefined) {
    const stateInputs = OPTIMIZER_STATE_KEYS[checkpoint.optimizer.kind].map((key) => stateName(trainable[0]!, key));
    requireInputs(optimizer, `optimizer (${checkpoint.optimizer.kind})`, [...trainable, ...stateInputs]);
  }
}
