/**
 * A whole fine-tuning run in memory, browser-safe: a trained model and images in class folders → an ordinary model
 * (inference ONNX with its labels and its start's preprocessing). It is `nin-sdk train --from`'s run without the run
 * folder (no resume, no files): the same decisions (fine-tune-plan.ts), the same stratified validation split, the
 * same loop and the same export, on whichever ONNX Runtime the caller passes. nin-sdk/web's fineTune is its caller.
 */
import type { InferenceSession } from 'onnxruntime-common';
import type { OrtWithTensor } from '../classifier/index.js';
import { type PreprocessSpec, specChannels } from '../preprocess/index.js';
import type { ProviderAttempt, Platform, Provider } from '../runtime/index.js';
import type { OptimizerKind } from './artifacts.js';
import { initialModelCheckpoint, type TrainingCheckpoint } from './checkpoint/state.js';
import { classBalance, type ClassBalance } from './data/class-balance.js';
import { checkImageDataset, datasetChannels, type ImageDataset } from './data/image-dataset.js';
import { relabelDataset } from './data/relabel.js';
import { stratifiedSplit } from './data/subset.js';
import { checkpointOnnx } from './export/checkpoint-onnx.js';
import { featureParameters, fineTuneOptimizer, startForClassFolders, type FreezeChoice } from './fine-tune-plan.js';
import type { Evaluation } from './loop/evaluate.js';
import { DEFAULT_FINE_TUNE_LR, type ScheduleKind, type TrainingRecipe } from './loop/recipe.js';
import { initialProgress, runTrainingLoop } from './loop/trainer.js';
import { TrainingSession } from './training-session.js';
import type { TrainingStart } from './training-start.js';

/**
 * How a fine-tuning run trains; what is left out is `nin-sdk train --from`'s default. nin-sdk/web's fineTune takes
 * them all as options (epochs and batchSize default to WEB_FINE_TUNE_EPOCHS and WEB_FINE_TUNE_BATCH_SIZE there).
 *
 * @example
 * ```ts
 * import { fineTune, type FineTuneSettings, type WebTrainingImage } from 'nin-sdk/web';
 * declare const images: WebTrainingImage[];
 * const settings: FineTuneSettings = { epochs: 10, batchSize: 32, optimizer: 'adamw', lr: 3e-4, seed: 1, validation: 0.2 };
 * const run = await fineTune({ images, ...settings });
 * ```
 */
export interface FineTuneSettings {
  /** Passes over the training images (≥ 1). */
  readonly epochs: number;
  /** Images per optimizer step (≥ 1). */
  readonly batchSize: number;
  /** 'sgd' (default: the recipe's SGD with momentum 0.95) or 'adamw'. */
  readonly optimizer?: OptimizerKind;
  /** The weights' learning rate (default the fine-tuning rate: 0.01 for SGD, 1e-4 for AdamW). */
  readonly lr?: number;
  /** 'step' (default, the recipe's: constant for runs under 80 epochs) or 'linear' (warm-up, then decay to 0). */
  readonly schedule?: ScheduleKind;
  /** Seeds the data order, crops, flips, Dropout masks, a new classifier's weights and the split (default 0). */
  readonly seed?: number;
  /** Holds out this fraction of the images (stratified, seeded) to choose the best epoch by; default none. */
  readonly validation?: number;
  /** 'features': train only the classifier; 'none': everything (default: what the start keeps frozen, if anything). */
  readonly freeze?: FreezeChoice;
  /** Train a classifier of one class (refused otherwise: it can only ever say that class). */
  readonly allowOneClass?: boolean;
}

/**
 * A fine-tuning run's progress after each batch (fineTune's `onBatch`): where the run is, the batch's loss, the speed.
 *
 * @example
 * ```ts
 * import { fineTune, type FineTuneBatchProgress, type WebTrainingImage } from 'nin-sdk/web';
 * declare const images: WebTrainingImage[];
 * declare const status: HTMLElement;
 * const onBatch = (p: FineTuneBatchProgress): void => {
 *   const speed = p.imagesPerSecond === undefined ? '' : `, ${p.imagesPerSecond.toFixed(0)} images/s`;
 *   status.textContent = `epoch ${p.epoch}/${p.epochs}, batch ${p.batch}/${p.batches}: loss ${p.loss.toFixed(3)}${speed}`;
 * };
 * const run = await fineTune({ images, onBatch });
 * ```
 */
export interface FineTuneBatchProgress {
  /** From 1. */
  readonly epoch: number;
  /** The epochs the run trains. */
  readonly epochs: number;
  /** From 1, within the epoch. */
  readonly batch: number;
  /** The batches of an epoch. */
  readonly batches: number;
  /** The batch's mean cross-entropy. */
  readonly loss: number;
  /**
   * Training images per second since the first batch ended (whose time holds the session's warm-up); undefined
   * until then: a rate is shown only once it is measured.
   */
  readonly imagesPerSecond: number | undefined;
}

/**
 * A fine-tuning run's figures after each epoch (fineTune's `onEpoch`, and the result's `epochs`).
 *
 * @example
 * ```ts
 * import { fineTune, type FineTuneEpoch, type WebTrainingImage } from 'nin-sdk/web';
 * declare const images: WebTrainingImage[];
 * const onEpoch = ({ epoch, trainLoss, validation }: FineTuneEpoch): void =>
 *   console.log(epoch, trainLoss, validation === undefined ? 'no split' : `${validation.accuracy.toFixed(1)} %`);
 * const run = await fineTune({ images, validation: 0.2, onEpoch });
 * ```
 */
export interface FineTuneEpoch {
  /** From 1. */
  readonly epoch: number;
  /** Mean of the epoch's batch losses. */
  readonly trainLoss: number;
  /** Loss and accuracy on the held-out images; undefined without a validation split. */
  readonly validation: Evaluation | undefined;
}

export interface FineTuneRunOptions {
  /** onnxruntime-node or onnxruntime-web. */
  readonly ort: OrtWithTensor;
  readonly platform: Platform;
  /** Ordered preference (default cpu in Node, wasm in browsers); see TrainingSessionOptions. */
  readonly providers?: readonly Provider[];
  readonly strict?: boolean;
  readonly sessionOptions?: InferenceSession.SessionOptions;
  /** The trained model to start from (readTrainingStart). */
  readonly start: TrainingStart;
  /**
   * The images, fitted to the start's input size with its channels (fitPixels), each class a class folder:
   * `classNames` are the folder names, sorted (torchvision's ImageFolder order), as the CLI reads a folder.
   */
  readonly data: ImageDataset;
  readonly settings: FineTuneSettings;
  readonly onBatch?: (progress: FineTuneBatchProgress) => void;
  readonly onEpoch?: (epoch: FineTuneEpoch) => void;
  /** Checked after every batch, after a turn of the event loop: true ends the run there (see FineTuneRunResult.status). */
  readonly shouldStop?: () => boolean;
}

/**
 * What a fine-tuning run in memory gives back: the model as ONNX bytes, its labels and preprocessing, and how it did.
 *
 * @example
 * ```ts
 * import type { FineTuneRunResult } from 'nin-sdk/web';
 * declare const result: FineTuneRunResult;
 * console.log(result.labels, result.onnx.byteLength);
 * ```
 */
export interface FineTuneRunResult {
  /** The model: inference ONNX with `labels` and `preprocessing` in its metadata. */
  readonly onnx: Uint8Array;
  /** Class names by output index. */
  readonly labels: readonly string[];
  /** The start model's. */
  readonly preprocessing: PreprocessSpec;
  /** The start's classifier that a new one replaced (`classifier.20`), or undefined when the folders were its labels. */
  readonly replacedClassifier: string | undefined;
  /** Parameters that were not trained. */
  readonly frozen: readonly string[];
  /** The class counts trained and validated on, with their warnings. */
  readonly balance: ClassBalance;
  readonly trainCount: number;
  /** Images held out for validation (0 without a split). */
  readonly validationCount: number;
  /** The provider that ran, and those that failed before it. */
  readonly provider: Provider;
  readonly fallbacks: readonly ProviderAttempt[];
  /**
   * 'finished', or 'stopped' by shouldStop. `onnx` holds the best epoch's weights (by validation accuracy; without a
   * split, the last epoch's), or, stopped before any epoch ended, the weights at the stop (`bestEpoch` undefined).
   */
  readonly status: 'finished' | 'stopped';
  readonly bestEpoch: number | undefined;
  /** Its validation accuracy in percent; null without a split. */
  readonly bestAccuracy: number | null;
  readonly epochs: readonly FineTuneEpoch[];
  /** Optimizer steps and images trained, and the seconds the loop took. */
  readonly steps: number;
  readonly images: number;
  readonly seconds: number;
}

/**
 * Fine-tunes `start` on `data`, as `nin-sdk train --from <model> --data <folders>` does with the same settings:
 * folders that are all the model's labels keep its classifier, any other folder gets a new one
 * (startForClassFolders); the validation split, frozen parameters, optimizer groups, augmentation, Dropout masks and
 * data order are the CLI's for the same seed. Throws RangeError for data that cannot train (no images, one class
 * without allowOneClass, a split that leaves nothing, pixels of another size than the model's input).
 */
export async function runFineTune(options: FineTuneRunOptions): Promise<FineTuneRunResult> {
  const { start: given, data, settings } = options;
  checkFineTuneData(data, given.preprocessing);
  const seed = settings.seed ?? 0;
  const { start, replacedClassifier } = startForClassFolders(given, data.classNames, seed);
  const all = relabelDataset(data, start.labels, 'the images');
  const balance = classBalance(all, 'training');
  if (balance.oneClass !== undefined && settings.allowOneClass !== true)
    throw new RangeError(`${balance.oneClass}, or allowOneClass`);
  const split =
    settings.validation === undefined
      ? { train: all, validation: undefined }
      : stratifiedSplit(all, settings.validation, seed);
  const frozen =
    settings.freeze === 'features'
      ? featureParameters(start.tensors)
      : settings.freeze === 'none'
        ? []
        : [...(start.frozen ?? [])];
  const kind = settings.optimizer ?? 'sgd';
  const lr = settings.lr ?? DEFAULT_FINE_TUNE_LR[kind];
  const recipe: TrainingRecipe = {
    schedule: settings.schedule ?? 'step',
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    baseLr: lr,
    seed,
    init: 'from',
    augment: true,
    logEvery: 100,
    ...(settings.validation === undefined ? {} : { validation: settings.validation }),
  };
  const optimizer = fineTuneOptimizer(kind, start.tensors, frozen, lr, replacedClassifier !== undefined);
  const checkpoint = {
    ...initialModelCheckpoint(
      start.architecture,
      start.tensors,
      optimizer,
      start.parameters,
      frozen.length > 0 ? frozen : undefined,
    ),
    progress: initialProgress(recipe, split.train, start.labels, start.preprocessing),
  };
  const session = await TrainingSession.fromCheckpoint(checkpoint, {
    ort: options.ort,
    platform: options.platform,
    ...(options.providers === undefined ? {} : { providers: options.providers }),
    ...(options.strict === undefined ? {} : { strict: options.strict }),
    ...(options.sessionOptions === undefined ? {} : { sessionOptions: options.sessionOptions }),
  });
  try {
    const batches = Math.ceil(split.train.count / recipe.batchSize);
    const epochs: FineTuneEpoch[] = [];
    let best: TrainingCheckpoint | undefined;
    let lossSum = 0;
    let lossCount = 0;
    let measuredSince: number | undefined;
    let measuredImages = 0;
    const result = await runTrainingLoop({
      session,
      ort: options.ort,
      train: split.train,
      ...(split.validation === undefined ? {} : { test: split.validation }),
      testSetName: 'Validation',
      progress: checkpoint.progress,
      log: () => undefined,
      onCheckpoint: async () => undefined,
      onBest: async (state) => {
        best = state;
      },
      onBatch: (batch, loss) => {
        lossSum += loss;
        lossCount += 1;
        const now = performance.now();
        if (measuredSince === undefined) measuredSince = now;
        else measuredImages += batch.size;
        const seconds = (now - measuredSince) / 1000;
        options.onBatch?.({
          epoch: batch.epoch + 1,
          epochs: recipe.epochs,
          batch: Math.floor(batch.firstSample / recipe.batchSize) + 1,
          batches,
          loss,
          imagesPerSecond: measuredImages > 0 && seconds > 0 ? measuredImages / seconds : undefined,
        });
      },
      onEpoch: (epoch, validation) => {
        const report = { epoch, trainLoss: lossSum / lossCount, validation };
        lossSum = 0;
        lossCount = 0;
        epochs.push(report);
        options.onEpoch?.(report);
      },
      shouldStop: async () => {
        // ONNX Runtime's runs resolve as microtasks (wasm runs in this thread): without a turn of the event loop
        // between batches, a page would not repaint and a worker would see no stop message until the run ended.
        await new Promise((resolve) => setTimeout(resolve, 0));
        return options.shouldStop?.() ?? false;
      },
      // Nothing to resume in memory: one checkpoint at each epoch's end is all the loop is asked for.
      checkpointEvery: Number.MAX_SAFE_INTEGER,
    });
    const model = best ?? (await session.getState(result.progress));
    const bestEpoch = best?.progress?.iterator.epoch;
    return {
      onnx: checkpointOnnx(model),
      labels: start.labels,
      preprocessing: start.preprocessing,
      replacedClassifier,
      frozen,
      balance,
      trainCount: split.train.count,
      validationCount: split.validation?.count ?? 0,
      provider: session.provider,
      fallbacks: session.fallbacks,
      status: result.status,
      bestEpoch: bestEpoch === undefined || bestEpoch === 0 ? undefined : bestEpoch,
      bestAccuracy: best === undefined ? null : (best.progress?.bestAccuracy ?? null),
      epochs,
      steps: result.steps,
      images: result.images,
      seconds: result.seconds,
    };
  } finally {
    await session.release();
  }
}

/** The images must be the start model's input: its size and channels, at least one. */
function checkFineTuneData(data: ImageDataset, preprocessing: PreprocessSpec): void {
  checkImageDataset(data);
  if (data.count === 0) throw new RangeError('no images to fine-tune on');
  const channels = specChannels(preprocessing);
  if (data.imageSize !== preprocessing.inputSize || datasetChannels(data) !== channels)
    throw new RangeError(
      `the images are ${data.imageSize}×${data.imageSize}×${datasetChannels(data)}, the model takes ` +
        `${preprocessing.inputSize}×${preprocessing.inputSize}×${channels} (fit them with fitPixels)`,
    );
}
