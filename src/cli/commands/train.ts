import * as ort from 'onnxruntime-node';
import { intraOpThreads } from '../../io/index.js';
import {
  type TrainingCheckpoint,
  describeArchitectureSpec,
  runTrainingLoop,
  type CheckpointReason,
  type Evaluation,
  type TrainingProgress,
} from '../../train/internal.js';
import { openNodeTrainingSession, RunFolder } from '../../train/node/index.js';
import { providerOption } from '../args.js';
import { ProgressBar } from '../progress.js';
import { parseTrainFlags, TRAIN_HELP } from './train-options.js';
import { TrainingPace } from './train-pace.js';
import { prepareTraining } from './train-start.js';
import { providerLibraryMissing } from '../../runtime/node/index.js';
import { terminalSafe } from '../terminal-text.js';

export { TRAIN_HELP };

/** Exit code of a run stopped by Ctrl-C (128 + SIGINT), after its checkpoint is saved. */
const INTERRUPTED = 130;

/** `nin-sdk train`: stdout carries pytorch-nin-cifar10's log lines only; everything else goes to stderr. */
export async function runTrain(argv: readonly string[]): Promise<number> {
  const flags = parseTrainFlags(argv);
  if (flags === 'help') {
    console.log(TRAIN_HELP);
    return 0;
  }
  const providers = providerOption(flags.provider);
  // Lines name classes, folders and files from the data: their control characters are shown, not run.
  const say = (line: string): void => console.error(`nin-sdk train: ${terminalSafe(line)}`);
  const folder = new RunFolder(flags.out);
  await folder.create();
  const start = await prepareTraining(flags, folder, say);
  const { checkpoint, train, test } = start;
  const { progress } = checkpoint;

  const threads = intraOpThreads(flags.threads);
  const { session, replicas } = await openNodeTrainingSession(
    checkpoint,
    { ort, platform: 'node', providers, strict: flags.strict, unavailable: providerLibraryMissing },
    threads,
  );
  for (const attempt of session.fallbacks)
    say(`${attempt.provider} could not start (${attempt.error}); using ${session.provider}`);
  const { architecture, optimizer } = session;
  say(
    `${describeStart(start.resumed, progress, checkpoint.step, folder.checkpointPath)}: ` +
      `${describeArchitectureSpec(architecture)}, ${optimizer.kind}, batch ${progress.recipe.batchSize}, ` +
      `${progress.recipe.epochs} epoch${progress.recipe.epochs === 1 ? '' : 's'} (${progress.recipe.schedule} schedule), on ${session.provider}` +
      (replicas > 1 ? ` (${replicas} threads, each on a share of every batch)` : ''),
  );

  let stopRequested = false;
  const onSignal = (): void => {
    // A second signal leaves at once: the files on disk are each whole (written atomically).
    if (stopRequested) process.exit(INTERRUPTED);
    stopRequested = true;
    say('stopping after this batch to save a checkpoint (press Ctrl-C again to quit at once)');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const { batchSize } = progress.recipe;
  // Every run gets a bar on a terminal, however few its batches: a small run's batches can each take seconds.
  const bar = new ProgressBar(Math.ceil(train.count / batchSize), 'batches', {
    minimum: 1,
    startAt: Math.ceil(progress.iterator.position / batchSize),
  });
  const pace = new TrainingPace(
    (progress.recipe.epochs - progress.iterator.epoch) * train.count - progress.iterator.position,
  );
  try {
    const result = await runTrainingLoop({
      session,
      ort,
      train,
      test,
      testSetName: start.testSetName,
      progress,
      checkpointEvery: flags.checkpointEvery,
      log: (line) => {
        bar.finish();
        console.log(line);
        folder.appendLog(line);
      },
      onCheckpoint: async (state: TrainingCheckpoint, reason: CheckpointReason) => {
        // The epoch's weights first: should the process die between the two, the resume redoes that epoch's end
        // (from the last periodic checkpoint) and writes them again, identically.
        if (flags.keepEpochs && (reason === 'epoch' || reason === 'finished')) await folder.writeEpochModel(state);
        await folder.writeCheckpoint(state);
      },
      onBest: (state: TrainingCheckpoint, evaluation: Evaluation | undefined) =>
        folder.writeBest(state, evaluation?.accuracy),
      onBatch: (batch) => {
        pace.record(batch.size);
        if (!batch.lastOfEpoch) {
          bar.update(Math.floor(batch.firstSample / batchSize) + 1);
          return;
        }
        bar.finish();
        say(`epoch ${batch.epoch + 1}/${progress.recipe.epochs} trained: ${pace.describe()}`);
      },
      shouldStop: () => stopRequested,
    });
    bar.finish();
    // A finished run given again (run scripts re-run every stage) trained nothing: no rate to report.
    if (result.steps > 0) {
      const rate = (result.images / result.seconds).toFixed(1);
      say(
        `${result.steps} steps, ${result.images} images in ${result.seconds.toFixed(1)} s (${rate} images/s) on ${session.provider}`,
      );
    }
    const best = result.progress.bestAccuracy;
    if (result.status === 'stopped') {
      say(
        `stopped at epoch ${result.progress.iterator.epoch + 1}; run the same command to resume from ${folder.checkpointPath}`,
      );
      return INTERRUPTED;
    }
    say(
      `done${best === null ? '' : `: best ${start.testSetName.toLowerCase()} accuracy ${best.toFixed(2)}%`}; ${folder.bestOnnxPath}, ${folder.bestPthPath}`,
    );
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await session.release();
  }
}

/** 'new run', where a resumed run stands, or that it has nothing left to do (run scripts re-run finished stages). */
function describeStart(resumed: boolean, progress: TrainingProgress, step: number, checkpointPath: string): string {
  if (!resumed) return 'new run';
  const { iterator, recipe } = progress;
  if (iterator.epoch >= recipe.epochs) return `${checkpointPath} holds a finished run (step ${step}), nothing to train`;
  return `resuming ${checkpointPath} at epoch ${iterator.epoch + 1}, image ${iterator.position}, step ${step}`;
}
