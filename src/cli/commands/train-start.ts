import { readRegularFile } from '../../node/read-regular-file.js';
import { NIN_CIFAR10 } from '../../../converters/nin/index.js';
import { specChannels, type PreprocessSpec } from '../../preprocess/spec.js';
import { loadImageDataset, type ImageDataset } from '../../train/data/node/index.js';
import {
  architectureFromWidths,
  initialModelCheckpoint,
  initialParameters,
  recipeOptimizer,
  type TrainingCheckpoint,
} from '../../train/index.js';
import {
  architectureSpec,
  checkpointArchitecture,
  describeArchitectureSpec,
  isNinArchitectureSpec,
} from '../../train/checkpoint/state.js';
import { initialProgress } from '../../train/loop/trainer.js';
import { ninParameters, type ParameterSpec } from '../../train/nin/architecture.js';
import { type TrainingProgress } from '../../train/checkpoint/progress.js';
import { type TrainingRecipe } from '../../train/loop/recipe.js';
import { NIN_CIFAR10_HIDDEN_WIDTHS } from '../../train/loop/recipe.js';
import { readTrainingStart } from '../../train/training-start.js';
import { specArchitecture } from '../../train/checkpoint/forward.js';
import type { RunFolder } from '../../train/node/run-folder.js';
import { sha256Hex } from '../../node/sha256.js';
import { UsageError } from '../errors.js';
import { defaultsFor, type TrainFlags } from './train-options.js';

export interface TrainStart {
  /** With its progress: where the loop starts. */
  readonly checkpoint: TrainingCheckpoint & { readonly progress: TrainingProgress };
  readonly resumed: boolean;
  readonly train: ImageDataset;
  readonly test: ImageDataset | undefined;
}

/** A new run from the flags, or the run saved in the folder, with its data loaded. */
export async function prepareTraining(
  flags: TrainFlags,
  folder: RunFolder,
  say: (line: string) => void,
): Promise<TrainStart> {
  const saved = await folder.readCheckpoint();
  return saved === undefined ? newRun(flags, folder, say) : resumedRun(flags, folder, saved, say);
}

async function newRun(flags: TrainFlags, folder: RunFolder, say: (line: string) => void): Promise<TrainStart> {
  const settings = defaultsFor(flags);
  const startBytes = flags.from === undefined ? undefined : await readRegularFile(flags.from);
  const start = startBytes === undefined ? undefined : readTrainingStart(startBytes, flags.from!);
  if (start !== undefined) {
    // As nin-convert says them: a model trained on an assumption must not look like one read from the file.
    for (const assumption of start.assumptions) say(`assumed: ${assumption}`);
    if (!isNinArchitectureSpec(start.architecture) && specArchitecture(start.architecture).layers.some(isBatchNorm))
      say(
        `${flags.from}: BatchNorm is folded into the convolutions before it; the run's .pth and .onnx hold the folded ` +
          'model (conv weights and biases), not the original BatchNorm layout',
      );
    if (!isNinArchitectureSpec(start.architecture) && flags.widths !== undefined)
      throw new UsageError(`--widths applies to a NIN trained from scratch; --from ${flags.from} fixes the widths`);
  }
  const preprocessing = start?.preprocessing ?? NIN_CIFAR10.preprocessing;
  // Training decodes images as the preprocessing says (grey for channels 1): it must make what the model takes.
  if (start !== undefined && specChannels(preprocessing) !== start.inputChannels)
    throw new UsageError(
      `--from ${flags.from}: the model takes ${start.inputChannels}-channel images, ` +
        `its preprocessing makes ${specChannels(preprocessing)}-channel ones`,
    );
  const train = await loadData(flags.data, flags, folder, preprocessing, start?.labels, say);
  const fresh = start === undefined ? architectureFromWidths(NIN_CIFAR10, widthsFor(flags.widths, train)) : undefined;
  const spec = start?.architecture ?? architectureSpec(fresh!);
  const tensors = start?.tensors ?? ninParameters(fresh!);
  const labels = start?.labels ?? train.classNames;
  const frozen = new Set(start?.frozen ?? []);
  if (frozen.size > 0)
    say(
      `${flags.from}: ${frozen.size} parameters stay frozen, as the checkpoint has them (${describeNames([...frozen])})`,
    );
  const trainable = tensors.map((p) => p.name).filter((name) => !frozen.has(name));
  const optimizer = recipeOptimizer(settings.optimizer, trainable, lastWeightedLayer(tensors), settings.lr);
  const recipe: TrainingRecipe = {
    schedule: settings.schedule,
    epochs: settings.epochs,
    batchSize: settings.batch,
    baseLr: settings.lr,
    seed: settings.seed,
    init: start === undefined ? settings.init : 'from',
    augment: true,
    logEvery: 100,
    ...(startBytes === undefined ? {} : { startModelSha256: sha256Hex(startBytes) }),
  };
  const parameters = start?.parameters ?? initialParameters(fresh!, settings.init, settings.seed);
  const progress = initialProgress(recipe, train, labels, preprocessing);
  const test =
    flags.test === undefined ? undefined : await loadData(flags.test, flags, folder, preprocessing, labels, say);
  return {
    checkpoint: { ...initialModelCheckpoint(spec, tensors, optimizer, parameters, start?.frozen), progress },
    resumed: false,
    train,
    test,
  };
}

async function resumedRun(
  flags: TrainFlags,
  folder: RunFolder,
  saved: TrainingCheckpoint,
  say: (line: string) => void,
): Promise<TrainStart> {
  const { progress } = saved;
  if (progress === undefined)
    throw new UsageError(
      `${folder.checkpointPath} holds no training progress (a bare session state): choose another --out`,
    );
  if (flags.from !== undefined) await checkSameStartModel(flags.from, progress.recipe, folder.checkpointPath);
  const recipe = resumedRecipe(flags, saved, progress, folder.checkpointPath);
  // A run that took its labels from the data's class folders loaded --data without a class list: ask the same
  // way, so that the resume reads the cache that start wrote instead of decoding again into a second one.
  const classNames = progress.recipe.init === 'from' ? progress.labels : undefined;
  const train = await loadData(flags.data, flags, folder, progress.preprocessing, classNames, say);
  if (classNames === undefined && !sameNames(train.classNames, progress.labels)) {
    throw new UsageError(
      `the run in ${folder.dir} trained on the classes ${describeNames(progress.labels)}, --data has ${describeNames(train.classNames)}: resume with the same data`,
    );
  }
  if (train.count !== progress.iterator.datasetCount) {
    throw new UsageError(
      `the run in ${folder.dir} trained on ${progress.iterator.datasetCount} images, --data${flags.limit === undefined ? '' : ' with --limit'} gives ${train.count}: resume with the same data`,
    );
  }
  const test =
    flags.test === undefined
      ? undefined
      : await loadData(flags.test, flags, folder, progress.preprocessing, progress.labels, say);
  return { checkpoint: { ...saved, progress: { ...progress, recipe } }, resumed: true, train, test };
}

/**
 * The saved recipe, checked against the flags given now: a resumed run keeps its settings, so a flag that asks
 * for another one is a mistake (it would silently not apply). Only --epochs may change, and only where the
 * schedule does not depend on it.
 */
function resumedRecipe(
  flags: TrainFlags,
  saved: TrainingCheckpoint,
  progress: TrainingProgress,
  file: string,
): TrainingRecipe {
  const { recipe } = progress;
  const conflict = (flag: string, asked: string, had: string): never => {
    throw new UsageError(
      `--${flag} ${asked} differs from the run saved in ${file} (${had}): resume without it, or choose another --out`,
    );
  };
  if (flags.widths !== undefined) {
    const spec = saved.architecture;
    if (!isNinArchitectureSpec(spec))
      conflict('widths', flags.widths.join(','), `a fine-tuned ${describeArchitectureSpec(spec)}`);
    const widths = checkpointArchitecture(spec).convs.map((c) => c.outChannels);
    if (flags.widths.some((w, i) => w !== widths[i])) conflict('widths', flags.widths.join(','), widths.join(','));
  }
  if (flags.batch !== undefined && flags.batch !== recipe.batchSize)
    conflict('batch', String(flags.batch), String(recipe.batchSize));
  if (flags.optimizer !== undefined && flags.optimizer !== saved.optimizer.kind)
    conflict('optimizer', flags.optimizer, saved.optimizer.kind);
  if (flags.lr !== undefined && flags.lr !== recipe.baseLr) conflict('lr', String(flags.lr), String(recipe.baseLr));
  if (flags.schedule !== undefined && flags.schedule !== recipe.schedule)
    conflict('schedule', flags.schedule, recipe.schedule);
  if (flags.init !== undefined && flags.init !== recipe.init) conflict('init', flags.init, recipe.init);
  if (flags.seed !== undefined && flags.seed !== recipe.seed) conflict('seed', String(flags.seed), String(recipe.seed));
  if (flags.epochs === undefined || flags.epochs === recipe.epochs) return recipe;
  if (recipe.schedule === 'linear')
    conflict('epochs', String(flags.epochs), `${recipe.epochs}; the linear schedule's decay depends on it`);
  if (flags.epochs! <= progress.iterator.epoch)
    conflict('epochs', String(flags.epochs), `${progress.iterator.epoch} epochs done already`);
  return { ...recipe, epochs: flags.epochs! };
}

/**
 * A resume may repeat the --from that started the run (so that the same command both starts and resumes a
 * fine-tuning); another model, or --from on a run that started from fresh weights, is a mistake.
 */
async function checkSameStartModel(from: string, recipe: TrainingRecipe, file: string): Promise<void> {
  const fix = 'resume without it, or choose another --out';
  if (recipe.init !== 'from')
    throw new UsageError(
      `--from ${from}: the run saved in ${file} started from fresh weights (${recipe.init}): ${fix}`,
    );
  if (recipe.startModelSha256 === undefined) {
    throw new UsageError(
      `--from ${from}: the run saved in ${file} does not record which model it started from: ${fix}`,
    );
  }
  const sha256 = sha256Hex(await readRegularFile(from));
  if (sha256 !== recipe.startModelSha256) {
    throw new UsageError(
      `--from ${from} differs from the model the run saved in ${file} started from (SHA-256 ${sha256.slice(0, 12)}…, not ${recipe.startModelSha256.slice(0, 12)}…): ${fix}`,
    );
  }
}

async function loadData(
  source: string,
  flags: TrainFlags,
  folder: RunFolder,
  spec: PreprocessSpec,
  classNames: readonly string[] | undefined,
  say: (line: string) => void,
): Promise<ImageDataset> {
  const started = performance.now();
  const { dataset, fromCache } = await loadImageDataset(source, {
    spec,
    cacheDir: folder.cacheDir,
    classNames,
    limit: flags.limit,
  });
  if (dataset.count === 0) throw new UsageError(`no images found in ${source}`);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  say(
    `${source}: ${dataset.count} images of ${dataset.classNames.length} classes (${fromCache ? 'from the cache' : 'decoded'} in ${seconds} s)`,
  );
  return dataset;
}

/** --widths (8: the class count appended; 9: its last must be the class count) or the recipe's full width. */
function widthsFor(widths: readonly number[] | undefined, train: ImageDataset): number[] {
  const classes = train.classNames.length;
  if (widths === undefined) return [...NIN_CIFAR10_HIDDEN_WIDTHS, classes];
  if (widths.length === 8) return [...widths, classes];
  if (widths[8] !== classes)
    throw new UsageError(
      `--widths ends in ${widths[8]} classes, but the data has ${classes} (${describeNames(train.classNames)})`,
    );
  return [...widths];
}

function isBatchNorm(layer: { readonly kind: string }): boolean {
  return layer.kind === 'batchNorm';
}

/** The last weighted layer's name (`classifier.20`): the recipe gives it its own learning rate. */
function lastWeightedLayer(tensors: readonly ParameterSpec[]): string {
  return tensors[tensors.length - 1]!.name.replace(/\.(weight|bias)$/, '');
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i]);
}

function describeNames(names: readonly string[]): string {
  return names.length > 5 ? `${names.slice(0, 5).join(', ')}, …` : names.join(', ');
}
