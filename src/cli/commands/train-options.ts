import { parseArgs } from 'node:util';
import { choiceOption, integerOption, parseCommandLine } from '../args.js';
import { UsageError } from '../errors.js';
import {
  DEFAULT_BASE_LR,
  DEFAULT_FINE_TUNE_LR,
  INIT_KINDS,
  NIN_CIFAR10_RECIPE,
  SCHEDULE_KINDS,
  type InitKind,
  type ScheduleKind,
  FREEZE_CHOICES,
  type FreezeChoice,
} from '../../train/internal.js';

export const TRAIN_HELP = `Usage: nin-sdk train --data <folder or tar> [options]

Trains a Network-in-Network on ONNX Runtime, with training graphs that nin-sdk builds itself (standard ONNX ops:
any provider, no TensorFlow.js, no ONNX Runtime training build). Data is a folder or tar of <class>/<image>
(../shared/data/cifar10/train.tar works as it is; a '/' in a label is '_' in its folder: T-shirt_top/).
By default it follows the pytorch-nin-cifar10 recipe: SGD with momentum 0.95, batch 128, weights lr 0.1 and
weight decay 1e-4, biases lr 0.2, the last convolution lr 0.01, lr x0.1 at epochs 80, 160 and 240 of 319, weights
N(0, 0.05); plus 4-pixel crops and flips. Logs that repo's lines:
  Train Epoch: 1 [0/50000 (0%)]	Loss: 2.302401	LR: 0.2
  Test set: Average loss: 2.7008, Accuracy: 2161/10000 (21.61%)

Options:
  --data <folder|tar>      training images (required, also when resuming)
  --test <folder|tar>      test images, evaluated after every epoch; the best epoch is saved
  --val <fraction>         without --test: hold out this fraction of --data (e.g. 0.1; stratified by class,
                           drawn with --seed), evaluated after every epoch; the best epoch is saved
  --from <model>           start from a trained NIN: a PyTorch checkpoint that nin-convert recognises by itself
                           (nin-convert --list-architectures), an ONNX model of nin-convert or nin-sdk train, or
                           a checkpoint.nintrain (its weights and frozen parameters; a fresh optimizer state).
                           When --data's class folders are the model's labels, it keeps its classifier; when any
                           folder is not, its classifier (the last convolution or Linear layer) is replaced by a
                           new one, freshly initialised, for the folders' classes, labelled with the folder
                           names in sorted order (torchvision's ImageFolder order)
  --arch <id|file.json>    with --from a PyTorch checkpoint: take this architecture instead of recognising it
  --key <path>             with --from a PyTorch checkpoint: which dict of tensors to read when several fit
  --preprocessing <p>      with --from a PyTorch checkpoint: cifar10, imagenet or a spec JSON file, instead of
                           the architecture's (a checkpoint does not say how its images were prepared)
  --labels <file>          with --from a PyTorch checkpoint: its class names, one per line, instead of the
                           architecture's. These four read the checkpoint as nin-convert does with them, and
                           train, as nin-convert, prints where the weights were taken from, what was ignored
                           and every assumption on stderr
  --freeze <features|none> features: train only the classifier (the last weighted layer), the rest stays as it
                           is; none: train everything, also what a checkpoint.nintrain kept frozen
  --widths <list>          output channels of the 9 convolutions, e.g. 192,160,96,192,192,192,192,192,10
                           (8 numbers: the class count is appended; default the recipe's full width)
  --batch-norm             from scratch: a BatchNorm between every convolution but the last and its ReLU,
                           trained with batch statistics; best.onnx and best.pth fold them into the
                           convolutions, so they hold the plain NIN
  --epochs <n>             default 319 (step schedule) or 16 (linear, cosine)
  --batch <n>              images per step (default 128)
  --optimizer <sgd|adamw>  default sgd (AdamW: weights lr 1e-3 and decay 1e-2, biases 2x lr, no decay)
  --lr <rate>              the weights' learning rate; biases get 2x, the last convolution 1/10
                           (default 0.1 for sgd, 0.001 for adamw; with --from a tenth of that, 0.01 and
                           0.0001, for fine-tuning; a new classifier learns at the weights' full rate)
  --schedule <kind>        step: x0.1 every 80 epochs (the recipe); linear: one epoch of warm-up, then a
                           linear decay to 0 (fixtures/default-model/train.py, for short runs); cosine: the
                           same warm-up, then a half cosine to 0
  --label-smoothing <e>    targets (1 - e)·one-hot + e/classes, as PyTorch's label_smoothing (default 0)
  --init <normal|he>       fresh weights: N(0, 0.05) as the recipe (default), or He (Kaiming normal)
  --seed <n>               seeds data order, augmentation, Dropout masks, fresh weights, --limit's sample and
                           --val's split (default 0)
  --limit <n>              use only n images of --data and of --test: a sample drawn with --seed, stratified
                           by class (each class folder's share in proportion to its size), so that a
                           class-sorted tar still gives every class; the counts used are printed
  --allow-one-class        train a classifier of one class (refused otherwise: it can only ever say that class)
  --provider <list>        cpu, cuda or webgpu, or an ordered list (default cpu)
  --strict                 fail if the first provider cannot start
  --threads <n>            CPU threads (default: one per physical core); on the CPU, a model without
                           BatchNorm runs as n copies, each on its share of every batch with one thread
  --checkpoint-every <n>   batches between checkpoints, besides every epoch's end (default 100)
  --keep-epochs            also keep each epoch's weights as epoch-<N>.pth, e.g. to average the last few
                           with 'nin-sdk average'
  --out <dir>              run folder (default nin-train): checkpoint.nintrain, best.onnx, best.pth,
                           train.log, and the decoded-dataset cache
  -h, --help               show this help

Run it again with the same --out to resume where it stopped (after Ctrl-C, which saves a checkpoint first, or
a crash: at most --checkpoint-every batches are redone, with the same data order and Dropout masks). Settings
come from the checkpoint then; --epochs may be raised for the step schedule, and a --from given again must
name the model the run started from (checked by SHA-256), so the command that started a run resumes it.
best.onnx works with 'nin-sdk predict --model'; best.pth is {'best_acc', 'state_dict'} for the family's
nn.Sequential.`;

/** The command line, checked. A setting is undefined when not given, so that a resume can tell what was asked. */
export interface TrainFlags {
  readonly data: string;
  readonly test: string | undefined;
  readonly val: number | undefined;
  readonly freeze: FreezeChoice | undefined;
  readonly allowOneClass: boolean;
  readonly from: string | undefined;
  /** How to read --from's PyTorch checkpoint, as nin-convert's flags of these names: raw, read when the run starts. */
  readonly reading: StartReadingFlags;
  readonly widths: readonly number[] | undefined;
  readonly batchNorm: boolean;
  readonly epochs: number | undefined;
  readonly batch: number | undefined;
  readonly optimizer: 'sgd' | 'adamw' | undefined;
  readonly lr: number | undefined;
  readonly schedule: ScheduleKind | undefined;
  readonly init: InitKind | undefined;
  readonly labelSmoothing: number | undefined;
  readonly seed: number | undefined;
  readonly limit: number | undefined;
  readonly provider: string | undefined;
  readonly strict: boolean;
  readonly threads: number | undefined;
  readonly checkpointEvery: number;
  readonly keepEpochs: boolean;
  readonly out: string;
}

/** nin-convert's flags for reading a checkpoint, as given (files are read when the run starts). */
export interface StartReadingFlags {
  readonly arch?: string;
  readonly key?: string;
  readonly preprocessing?: string;
  readonly labels?: string;
}

export const DEFAULT_OUT = 'nin-train';
export const DEFAULT_LINEAR_EPOCHS = 16;

export function parseTrainFlags(argv: readonly string[]): TrainFlags | 'help' {
  const { values, positionals } = parseCommandLine(() =>
    parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        data: { type: 'string' },
        test: { type: 'string' },
        val: { type: 'string' },
        freeze: { type: 'string' },
        'allow-one-class': { type: 'boolean', default: false },
        from: { type: 'string' },
        arch: { type: 'string' },
        key: { type: 'string' },
        preprocessing: { type: 'string' },
        labels: { type: 'string' },
        widths: { type: 'string' },
        'batch-norm': { type: 'boolean', default: false },
        epochs: { type: 'string' },
        batch: { type: 'string' },
        optimizer: { type: 'string' },
        lr: { type: 'string' },
        schedule: { type: 'string' },
        init: { type: 'string' },
        'label-smoothing': { type: 'string' },
        seed: { type: 'string' },
        limit: { type: 'string' },
        provider: { type: 'string' },
        strict: { type: 'boolean', default: false },
        threads: { type: 'string' },
        'checkpoint-every': { type: 'string' },
        'keep-epochs': { type: 'boolean', default: false },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }),
  );
  if (values.help) return 'help';
  if (positionals.length > 0)
    throw new UsageError(`train takes no positional arguments (got '${positionals[0]}'); the data goes in --data`);
  if (values.data === undefined) throw new UsageError('train needs --data <folder or tar>');
  if (values.from !== undefined && values.widths !== undefined)
    throw new UsageError("--widths and --from exclude each other: training from a model keeps the model's widths");
  if (values.from !== undefined && values.init !== undefined)
    throw new UsageError('--init and --from exclude each other: training from a model starts from its weights');
  if (values.from !== undefined && values['batch-norm'])
    throw new UsageError("--batch-norm and --from exclude each other: training from a model keeps the model's layers");
  if (values.freeze !== undefined && values.from === undefined)
    throw new UsageError('--freeze applies to a run --from a trained model; fresh weights have nothing to keep');
  const reading: StartReadingFlags = {
    ...(values.arch === undefined ? {} : { arch: values.arch }),
    ...(values.key === undefined ? {} : { key: values.key }),
    ...(values.preprocessing === undefined ? {} : { preprocessing: values.preprocessing }),
    ...(values.labels === undefined ? {} : { labels: values.labels }),
  };
  if (values.from === undefined && Object.keys(reading).length > 0)
    throw new UsageError(
      `--${Object.keys(reading)[0]} says how to read --from's PyTorch checkpoint; a run from scratch has none`,
    );
  if (values.val !== undefined && values.test !== undefined)
    throw new UsageError('--val and --test exclude each other: the best epoch is chosen on one of them');
  const optional = (name: string, value: string | undefined, min: number, max: number): number | undefined =>
    value === undefined ? undefined : integerOption(name, value, 0, min, max);
  return {
    data: values.data,
    test: values.test,
    val: values.val === undefined ? undefined : parseFraction(values.val),
    freeze: choiceOption('freeze', values.freeze, FREEZE_CHOICES),
    allowOneClass: values['allow-one-class'],
    from: values.from,
    reading,
    widths: values.widths === undefined ? undefined : parseWidths(values.widths),
    batchNorm: values['batch-norm'],
    epochs: optional('epochs', values.epochs, 1, 100_000),
    batch: optional('batch', values.batch, 1, 4096),
    optimizer: choiceOption('optimizer', values.optimizer, ['sgd', 'adamw'] as const),
    lr: values.lr === undefined ? undefined : parseRate(values.lr),
    schedule: choiceOption('schedule', values.schedule, SCHEDULE_KINDS),
    init: choiceOption('init', values.init, INIT_KINDS),
    labelSmoothing:
      values['label-smoothing'] === undefined ? undefined : parseLabelSmoothing(values['label-smoothing']),
    seed: optional('seed', values.seed, 0, 2 ** 32 - 1),
    limit: optional('limit', values.limit, 1, Number.MAX_SAFE_INTEGER),
    provider: values.provider,
    strict: values.strict,
    threads: optional('threads', values.threads, 1, 1024),
    checkpointEvery: integerOption('checkpoint-every', values['checkpoint-every'], 100, 1, 1_000_000),
    keepEpochs: values['keep-epochs'],
    out: values.out ?? DEFAULT_OUT,
  };
}

/** The recipe's defaults for what the command line left open. */
export function defaultsFor(flags: TrainFlags): {
  epochs: number;
  batch: number;
  optimizer: 'sgd' | 'adamw';
  lr: number;
  schedule: ScheduleKind;
  init: InitKind;
  seed: number;
} {
  const optimizer = flags.optimizer ?? 'sgd';
  const schedule = flags.schedule ?? NIN_CIFAR10_RECIPE.schedule;
  return {
    epochs: flags.epochs ?? (schedule === 'step' ? NIN_CIFAR10_RECIPE.epochs : DEFAULT_LINEAR_EPOCHS),
    batch: flags.batch ?? NIN_CIFAR10_RECIPE.batchSize,
    optimizer,
    // Trained weights want a gentler start than the recipe's from-scratch rate.
    lr: flags.lr ?? (flags.from === undefined ? DEFAULT_BASE_LR : DEFAULT_FINE_TUNE_LR)[optimizer],
    schedule,
    init: flags.init ?? 'normal',
    seed: flags.seed ?? 0,
  };
}

const WIDTHS_SHAPE =
  'the output channels of the 9 convolutions, or of the first 8, as positive integers separated by commas';

function parseWidths(text: string): number[] {
  const parts = text.split(',');
  const widths = parts.map((part) => (/^\s*\d+\s*$/.test(part) ? Number(part) : NaN));
  if ((widths.length !== 8 && widths.length !== 9) || widths.some((w) => !Number.isSafeInteger(w) || w < 1)) {
    throw new UsageError(`--widths must be ${WIDTHS_SHAPE}, got '${text}'`);
  }
  return widths;
}

/** --val: a fraction of the data strictly between 0 and 1 (at most a half: the rest must train). */
function parseFraction(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !(value > 0 && value <= 0.5))
    throw new UsageError(`--val must be a fraction above 0 and at most 0.5, e.g. 0.1, got '${text}'`);
  return value;
}

function parseRate(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0)
    throw new UsageError(`--lr must be a positive number, got '${text}'`);
  return value;
}

function parseLabelSmoothing(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !(value >= 0 && value < 1))
    throw new UsageError(`--label-smoothing must be a number from 0 up to (not including) 1, e.g. 0.1, got '${text}'`);
  return value;
}
