import { readRegularFile, sha256Hex } from '../../io/index.js';
import { NIN_CIFAR10, readingLines } from '../../convert/index.js';
import { specChannels, type PreprocessSpec } from '../../preprocess/index.js';
import {
  foldersAreLabels,
  stratifiedSplit,
  type ImageDataset,
  architectureFromWidths,
  initialModelCheckpoint,
  initialParameters,
  type TrainingCheckpoint,
  architectureSpec,
  checkpointArchitecture,
  describeArchitectureSpec,
  isNinArchitectureSpec,
  initialProgress,
  ninParameters,
  type ParameterSpec,
  type TrainingProgress,
  type TrainingRecipe,
  NIN_CIFAR10_HIDDEN_WIDTHS,
  readTrainingStart,
  type TrainingStart,
  type TrainingStartOptions,
  startFileKind,
  classifierLayer,
  featureParameters,
  fineTuneOptimizer,
  startForClassFolders,
  specArchitecture,
  describeNames,
  plural,
} from '../../train/internal.js';
import { readLabelsFile } from '../labels-file.js';
import { readArchitecture, readPreprocessing } from '../reading-options.js';
import type { RunFolder } from '../../train/node/index.js';
import { UsageError } from '../errors.js';
import { defaultsFor, type TrainFlags } from './train-options.js';
import { asLabels, loadClassFolders, reportClassCounts, type DataSelection } from './train-data.js';

export interface TrainStart {
  /** With its progress: where the loop starts. */
  readonly checkpoint: TrainingCheckpoint & { readonly progress: TrainingProgress };
  readonly resumed: boolean;
  readonly train: ImageDataset;
  /** Evaluated after every epoch: --test's images, or those --val held out. */
  readonly test: ImageDataset | undefined;
  /** Which of the two `test` is, as the log names it. */
  readonly testSetName: 'Test' | 'Validation';
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
  const given =
    startBytes === undefined
      ? undefined
      : readTrainingStart(startBytes, flags.from!, await startReadingOptions(flags, startBytes));
  if (given !== undefined) {
    // As nin-convert says them: where the weights were, what was left aside, and what was taken on trust; a model
    // trained on an assumption must not look like one read from the file.
    for (const line of readingLines(given)) say(line);
    if (!isNinArchitectureSpec(given.architecture) && specArchitecture(given.architecture).layers.some(isBatchNorm))
      say(
        `${flags.from}: BatchNorm is folded into the convolutions before it; the run's .pth and .onnx hold the folded ` +
          'model (conv weights and biases), not the original BatchNorm layout',
      );
    if (!isNinArchitectureSpec(given.architecture) && flags.widths !== undefined)
      throw new UsageError(`--widths applies to a NIN trained from scratch; --from ${flags.from} fixes the widths`);
  }
  const preprocessing = given?.preprocessing ?? NIN_CIFAR10.preprocessing;
  // Training decodes images as the preprocessing says (grey for channels 1): it must make what the model takes.
  if (given !== undefined && specChannels(preprocessing) !== given.inputChannels)
    throw new UsageError(
      `--from ${flags.from}: the model takes ${given.inputChannels}-channel images, ` +
        `its preprocessing makes ${specChannels(preprocessing)}-channel ones`,
    );
  const selection = { limit: flags.limit, seed: settings.seed };
  const folders = await loadClassFolders(flags.data, selection, folder, preprocessing, say);
  // Class folders that are the model's labels fine-tune its classifier; any other folder asks for a new one.
  const fitted = given === undefined ? undefined : startForClassFolders(given, folders.classNames, settings.seed);
  const start = fitted?.start;
  const newClassifier = fitted?.replacedClassifier !== undefined;
  if (newClassifier)
    say(
      `--data's class folders are not all labels of ${flags.from} (${describeNames(given!.labels)}): its classifier ` +
        `${fitted!.replacedClassifier} is replaced by a new one, freshly initialised, for ` +
        `${plural(folders.classNames.length, 'class', 'classes')} labelled as the folders, sorted: ${describeNames(folders.classNames)}`,
    );
  const labels = start?.labels ?? folders.classNames;
  const all = start === undefined ? folders : asLabels(folders, labels, flags.data);
  reportClassCounts(all, 'training', flags.allowOneClass, say);
  const { train, validation } = splitForValidation(all, flags.val, settings.seed, say);
  const fresh =
    start === undefined
      ? architectureFromWidths(NIN_CIFAR10, widthsFor(flags.widths, train), { batchNorm: flags.batchNorm })
      : undefined;
  const spec = start?.architecture ?? architectureSpec(fresh!);
  const tensors = start?.tensors ?? ninParameters(fresh!);
  const frozen = frozenParameters(flags, start, tensors, say);
  const optimizer = fineTuneOptimizer(settings.optimizer, tensors, frozen, settings.lr, newClassifier);
  const recipe: TrainingRecipe = {
    schedule: settings.schedule,
    epochs: settings.epochs,
    batchSize: settings.batch,
    baseLr: settings.lr,
    seed: settings.seed,
    init: start === undefined ? settings.init : 'from',
    augment: true,
    ...(flags.labelSmoothing === undefined || flags.labelSmoothing === 0
      ? {}
      : { labelSmoothing: flags.labelSmoothing }),
    logEvery: 100,
    ...(startBytes === undefined ? {} : { startModelSha256: sha256Hex(startBytes) }),
    ...(flags.val === undefined ? {} : { validation: flags.val }),
  };
  const parameters = start?.parameters ?? initialParameters(fresh!, settings.init, settings.seed);
  const progress = initialProgress(recipe, train, labels, preprocessing);
  const test =
    validation ??
    (flags.test === undefined ? undefined : await loadTest(flags.test, selection, folder, preprocessing, labels, say));
  return {
    checkpoint: {
      ...initialModelCheckpoint(spec, tensors, optimizer, parameters, frozen.length > 0 ? frozen : undefined),
      progress,
    },
    resumed: false,
    train,
    test,
    testSetName: validation === undefined ? 'Test' : 'Validation',
  };
}

/**
 * What stays frozen: --freeze features, all but the classifier; --freeze none, nothing; neither, what a training
 * checkpoint kept frozen (named on stderr).
 */
function frozenParameters(
  flags: TrainFlags,
  start: TrainingStart | undefined,
  tensors: readonly ParameterSpec[],
  say: (line: string) => void,
): string[] {
  if (flags.freeze === 'none') return [];
  if (flags.freeze === 'features') {
    const head = classifierLayer(tensors).name;
    const frozen = featureParameters(tensors);
    say(
      `--freeze features: only the classifier ${head} trains; ${plural(frozen.length, 'parameter')} stay as they are`,
    );
    return frozen;
  }
  const frozen = [...(start?.frozen ?? [])];
  if (frozen.length > 0)
    say(
      `${flags.from}: ${plural(frozen.length, 'parameter')} stay frozen, as the checkpoint has them (${describeNames(frozen)})`,
    );
  return frozen;
}

/** --val's split of the training data (stratified, seeded), said with its sizes; the data whole without --val. */
function splitForValidation(
  dataset: ImageDataset,
  fraction: number | undefined,
  seed: number,
  say: (line: string) => void,
): { train: ImageDataset; validation: ImageDataset | undefined } {
  if (fraction === undefined) return { train: dataset, validation: undefined };
  const split = stratifiedSplit(dataset, fraction, seed);
  say(
    `--val ${fraction}: ${plural(split.validation.count, 'image')} held out for validation (stratified), ` +
      `${plural(split.train.count, 'image')} to train on; the best epoch is chosen by validation accuracy`,
  );
  return { train: split.train, validation: split.validation };
}

/** A test set, its class folders read as `labels` (a folder that is none of them is refused, naming it). */
async function loadTest(
  source: string,
  selection: DataSelection,
  folder: RunFolder,
  spec: PreprocessSpec,
  labels: readonly string[],
  say: (line: string) => void,
): Promise<ImageDataset> {
  return asLabels(await loadClassFolders(source, selection, folder, spec, say), labels, source);
}

/** --arch, --key, --preprocessing and --labels read as nin-convert reads them; for a PyTorch checkpoint only. */
async function startReadingOptions(flags: TrainFlags, startBytes: Uint8Array): Promise<TrainingStartOptions> {
  const given = Object.keys(flags.reading);
  if (given.length === 0) return {};
  if (startFileKind(startBytes) !== 'pytorch')
    throw new UsageError(
      `--${given[0]} applies to a PyTorch checkpoint; ${flags.from} is an ONNX model or a training checkpoint, which records how it reads`,
    );
  const { arch, key, preprocessing, labels } = flags.reading;
  return {
    ...(arch === undefined ? {} : { architecture: await readArchitecture(arch) }),
    ...(key === undefined ? {} : { key }),
    ...(preprocessing === undefined ? {} : { preprocessing: (await readPreprocessing(preprocessing)).preprocessing }),
    ...(labels === undefined ? {} : { labels: await readLabelsFile(labels) }),
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
  const reading = Object.keys(flags.reading)[0];
  if (reading !== undefined)
    throw new UsageError(
      `--${reading} applies when a run starts; the run saved in ${folder.checkpointPath} read its model then: resume without it`,
    );
  const recipe = resumedRecipe(flags, saved, progress, folder.checkpointPath);
  const selection = { limit: flags.limit, seed: recipe.seed };
  const folders = await loadClassFolders(flags.data, selection, folder, progress.preprocessing, say);
  // A run from scratch took its labels from the folders; a fine-tuning may train on some of its model's labels only.
  const sameClasses =
    recipe.init === 'from'
      ? foldersAreLabels(folders.classNames, progress.labels)
      : sameNames(folders.classNames, progress.labels);
  if (!sameClasses) {
    throw new UsageError(
      `the run in ${folder.dir} trained on the classes ${describeNames(progress.labels)}, --data has ${describeNames(folders.classNames)}: resume with the same data`,
    );
  }
  const all = asLabels(folders, progress.labels, flags.data);
  reportClassCounts(all, 'training', true, say);
  const { train, validation } = splitForValidation(all, recipe.validation, recipe.seed, say);
  if (train.count !== progress.iterator.datasetCount) {
    throw new UsageError(
      `the run in ${folder.dir} trained on ${progress.iterator.datasetCount} images, --data${flags.limit === undefined ? '' : ' with --limit'} gives ${train.count}: resume with the same data`,
    );
  }
  const test =
    validation ??
    (flags.test === undefined
      ? undefined
      : await loadTest(flags.test, selection, folder, progress.preprocessing, progress.labels, say));
  return {
    checkpoint: { ...saved, progress: { ...progress, recipe } },
    resumed: true,
    train,
    test,
    testSetName: validation === undefined ? 'Test' : 'Validation',
  };
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
  if (flags.batchNorm) {
    const spec = saved.architecture;
    if (!isNinArchitectureSpec(spec) || spec.batchNorm !== true)
      throw new UsageError(
        `--batch-norm: the run saved in ${file} trains without BatchNorm: resume without it, or choose another --out`,
      );
  }
  if (flags.labelSmoothing !== undefined && flags.labelSmoothing !== (recipe.labelSmoothing ?? 0))
    conflict('label-smoothing', String(flags.labelSmoothing), String(recipe.labelSmoothing ?? 0));
  if (flags.batch !== undefined && flags.batch !== recipe.batchSize)
    conflict('batch', String(flags.batch), String(recipe.batchSize));
  if (flags.optimizer !== undefined && flags.optimizer !== saved.optimizer.kind)
    conflict('optimizer', flags.optimizer, saved.optimizer.kind);
  if (flags.lr !== undefined && flags.lr !== recipe.baseLr) conflict('lr', String(flags.lr), String(recipe.baseLr));
  if (flags.schedule !== undefined && flags.schedule !== recipe.schedule)
    conflict('schedule', flags.schedule, recipe.schedule);
  if (flags.init !== undefined && flags.init !== recipe.init) conflict('init', flags.init, recipe.init);
  if (flags.seed !== undefined && flags.seed !== recipe.seed) conflict('seed', String(flags.seed), String(recipe.seed));
  if (flags.val !== undefined && flags.val !== recipe.validation)
    conflict(
      'val',
      String(flags.val),
      recipe.validation === undefined ? 'no validation split' : String(recipe.validation),
    );
  if (flags.freeze !== undefined) {
    const frozen = saved.frozen ?? [];
    const head = classifierLayer(saved.tensors).name;
    const features = saved.tensors.every((t) => t.name.startsWith(`${head}.`) !== frozen.includes(t.name));
    const had = frozen.length === 0 ? 'none' : features ? 'features' : `${plural(frozen.length, 'parameter')} frozen`;
    if (had !== flags.freeze) conflict('freeze', flags.freeze, had);
  }
  if (flags.epochs === undefined || flags.epochs === recipe.epochs) return recipe;
  if (recipe.schedule !== 'step')
    conflict('epochs', String(flags.epochs), `${recipe.epochs}; the ${recipe.schedule} schedule's decay depends on it`);
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

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i]);
}
