/**
 * The training loop of `nin-sdk train`, platform-neutral: batches from a resumable BatchIterator, one
 * TrainingSession step per batch with the recipe's schedule, pytorch-nin-cifar10's log lines, evaluation after
 * each epoch, and checkpoints handed to the caller (who writes them) often enough that an interruption loses
 * nothing: the iterator state saved with the parameters says exactly which batch, crops, flips and masks come next.
 */
import type { OrtWithTensor } from '../../classifier/index.js';
import type { TrainingProgress } from '../checkpoint/progress.js';
import type { TrainingCheckpoint } from '../checkpoint/state.js';
import { BatchIterator, CIFAR10_AUGMENTATION, type TrainingBatch } from '../data/batch-iterator.js';
import type { ImageDataset } from '../data/image-dataset.js';
import type { OptimizerSettings } from '../optimizer/settings.js';
import type { Feeds, TrainingSession } from '../training-session.js';
import { checkpointForwardModel } from '../checkpoint/forward.js';
import { evaluate, type Evaluation } from './evaluate.js';
import { dropoutLayers, trainFeeds, type DropoutLayer } from './feeds.js';
import { testLogLine, trainLogLine } from './log-format.js';
import type { PreprocessSpec } from '../../preprocess/index.js';
import { learningRateScale, type TrainingRecipe } from './recipe.js';

export type CheckpointReason = 'periodic' | 'epoch' | 'stop' | 'finished';

export interface TrainingLoopOptions {
  readonly session: TrainingSession;
  readonly ort: OrtWithTensor;
  readonly train: ImageDataset;
  /** Evaluated after every epoch; the best accuracy decides `onBest`. Without it, every epoch's model is the best. */
  readonly test?: ImageDataset;
  /** What `test` is, as the log line names it: 'Test' (default), or 'Validation' for images held out of the data. */
  readonly testSetName?: 'Test' | 'Validation';
  /** Where to start: the recipe, the iterator's place, best accuracy, labels, preprocessing. */
  readonly progress: TrainingProgress;
  /** One line of the log (pytorch-nin-cifar10's lines, and the blank lines around the test line). */
  readonly log: (line: string) => void;
  /** Receives checkpoints to store; the loop waits for it. */
  readonly onCheckpoint: (checkpoint: TrainingCheckpoint, reason: CheckpointReason) => Promise<void>;
  /** Receives the model after an epoch that improved the best test accuracy (or after every epoch, without a test set). */
  readonly onBest: (checkpoint: TrainingCheckpoint, evaluation: Evaluation | undefined) => Promise<void>;
  /** After every batch; e.g. a progress bar or throughput figures. */
  readonly onBatch?: (batch: TrainingBatch, loss: number) => void;
  /** After every epoch's evaluation (undefined without a test set), before its checkpoint is handed over. */
  readonly onEpoch?: (epoch: number, evaluation: Evaluation | undefined) => void;
  /**
   * Checked after every batch: true saves a checkpoint and returns (a SIGINT handler sets it). It may answer later
   * (a promise): the loop waits, e.g. while a worker's stop message gets its turn.
   */
  readonly shouldStop?: () => boolean | Promise<boolean>;
  /** A checkpoint every this many batches, besides each epoch's end (default 100). */
  readonly checkpointEvery?: number;
}

export interface TrainingLoopResult {
  readonly status: 'finished' | 'stopped';
  readonly progress: TrainingProgress;
  /** Optimizer steps run by this call. */
  readonly steps: number;
  readonly images: number;
  readonly seconds: number;
}

export async function runTrainingLoop(options: TrainingLoopOptions): Promise<TrainingLoopResult> {
  const { session, ort, train, test, log } = options;
  const { recipe, preprocessing } = options.progress;
  const layers: DropoutLayer[] = dropoutLayers(checkpointForwardModel(session));
  const iterator = BatchIterator.resume(
    train,
    {
      spec: preprocessing,
      batchSize: recipe.batchSize,
      seed: recipe.seed,
      augment: recipe.augment ? CIFAR10_AUGMENTATION : false,
      dropout: layers.map(({ shape, p }) => ({ shape, p })),
    },
    options.progress.iterator,
  );
  const loggedGroupLr = loggedLearningRate(
    session.optimizer,
    session.tensors.find((t) => t.name.endsWith('.bias'))?.name ?? session.tensors[0]!.name,
  );
  const checkpointEvery = options.checkpointEvery ?? 100;

  let bestAccuracy = options.progress.bestAccuracy;
  // The iterator runs one batch ahead (drawing the next while a step runs); a checkpoint records where it stood
  // once the batch just trained was drawn, so that a resume draws the next batch again, identically.
  let drawn = iterator.state;
  const progressNow = (): TrainingProgress => ({ ...options.progress, iterator: drawn, bestAccuracy });
  const draw = (): TrainingBatch | undefined => (iterator.epoch < recipe.epochs ? iterator.next() : undefined);
  const save = async (reason: CheckpointReason): Promise<void> =>
    options.onCheckpoint(await session.getState(progressNow()), reason);

  const started = performance.now();
  let steps = 0;
  let images = 0;
  let sinceSave = 0;
  let next = draw();
  for (let batch = next; batch !== undefined; batch = next) {
    drawn = iterator.state;
    const epoch = batch.epoch + 1;
    const batchIndex = Math.floor(batch.firstSample / recipe.batchSize);
    const scale = learningRateScale(recipe, epoch, batchIndex, iterator.batchesPerEpoch);
    const stepped = trainStep(session, trainFeeds(ort, batch, layers, recipe.labelSmoothing), scale);
    stepped.catch(() => undefined); // awaited below; a failure meanwhile is not an unhandled rejection
    // The next batch is drawn while the step runs: a training model in worker threads (Node's replicas) leaves this
    // thread free, and crops, flips and Dropout masks then cost the step nothing. The step posts its work in
    // microtasks, so one macrotask turn lets it start first; a session on this thread simply runs after the draw.
    await nextTurn();
    next = draw();
    const loss = await stepped;
    steps += 1;
    images += batch.size;
    sinceSave += 1;
    if (batchIndex % recipe.logEvery === 0) {
      log(
        trainLogLine({
          epoch,
          batchIndex,
          batchSize: batch.size,
          datasetSize: train.count,
          batchesPerEpoch: iterator.batchesPerEpoch,
          loss,
          learningRate: loggedGroupLr * scale,
        }),
      );
    }
    options.onBatch?.(batch, loss);

    if (batch.lastOfEpoch) {
      const evaluation = test === undefined ? undefined : await evaluate(session, ort, test, preprocessing);
      if (evaluation !== undefined) {
        log('');
        log(testLogLine(evaluation.averageLoss, evaluation.correct, evaluation.count, options.testSetName));
        log('');
      }
      options.onEpoch?.(epoch, evaluation);
      // PyTorch's `if acc > best_acc`: only a strictly better epoch replaces the best model.
      if (evaluation === undefined || bestAccuracy === null || evaluation.accuracy > bestAccuracy) {
        bestAccuracy = evaluation?.accuracy ?? null;
        await options.onBest(await session.getState(progressNow()), evaluation);
      }
      await save(drawn.epoch < recipe.epochs ? 'epoch' : 'finished');
      sinceSave = 0;
    } else if (sinceSave >= checkpointEvery) {
      await save('periodic');
      sinceSave = 0;
    }
    if (drawn.epoch < recipe.epochs && (await options.shouldStop?.()) === true) {
      if (sinceSave > 0) await save('stop');
      return {
        status: 'stopped',
        progress: progressNow(),
        steps,
        images,
        seconds: (performance.now() - started) / 1000,
      };
    }
  }
  return { status: 'finished', progress: progressNow(), steps, images, seconds: (performance.now() - started) / 1000 };
}

/** Resolves after pending microtasks and one macrotask turn (setTimeout: Node and browsers alike). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** One optimizer step on one batch; its loss. */
async function trainStep(session: TrainingSession, feeds: Feeds, scale: number): Promise<number> {
  await session.lazyResetGrad();
  const loss = await session.runTrainStep(feeds);
  await session.runOptimizerStep({ learningRateScale: scale });
  return loss;
}

/**
 * The rate the log shows: the original prints `optimizer.param_groups[1]['lr']`, the group of the first
 * convolution's bias (its groups are one per parameter, in state_dict order), i.e. the biases' rate.
 */
function loggedLearningRate(optimizer: OptimizerSettings, firstBias: string): number {
  const group = optimizer.groups.find((g) => g.parameters.includes(firstBias)) ?? optimizer.groups[0];
  return group?.lr ?? 0;
}

/** The progress of a run that has not started: the iterator before its first batch, no best accuracy yet. */
export function initialProgress(
  recipe: TrainingRecipe,
  train: ImageDataset,
  labels: readonly string[],
  preprocessing: PreprocessSpec,
): TrainingProgress {
  const iterator = BatchIterator.create(train, { spec: preprocessing, batchSize: recipe.batchSize, seed: recipe.seed });
  return { recipe, iterator: iterator.state, bestAccuracy: null, labels, preprocessing };
}
