import { checkPreprocessSpec, pixelsToTensor, specChannels, type PreprocessSpec } from '../../preprocess/index.js';
import { cropFlipPlanes, drawCropFlip } from './augment.js';
import { checkBatchIteratorState, type BatchIteratorState } from './batch-iterator-state.js';
import { dropoutMask } from './dropout-mask.js';
import { checkImageDataset, datasetChannels, imageBytes, type ImageDataset } from './image-dataset.js';
import { Random } from '../../numeric/index.js';
import { shuffledIndices } from './shuffle.js';

export interface BatchIteratorOptions {
  /** How pixels become the model's input: channel order, scale, mean, std. inputSize must be the dataset's. */
  readonly spec: PreprocessSpec;
  readonly batchSize: number;
  /** Seed of everything random; a whole number in [0, 2^32). When resuming, the state's (and must agree if given). */
  readonly seed?: number;
  /** A new random order every epoch (default true); false for evaluation, in dataset order. */
  readonly shuffle?: boolean;
  /** Random crops of the zero-padded image and horizontal flips, as train.py (see augment.ts). Default: none. */
  readonly augment?: { readonly padding: number; readonly flip: boolean } | false;
  /** Leave out the last, smaller batch of each epoch (default false, as torch's DataLoader). */
  readonly dropLast?: boolean;
  /**
   * Dropout keep-masks to draw with each batch, one entry per Dropout layer: `shape` is one image's activation
   * shape at that layer (e.g. [96, 16, 16]) and `p` the drop probability. Drawn from the iterator's generator, so
   * they are part of what a resumed run repeats exactly.
   */
  readonly dropout?: ReadonlyArray<{ readonly shape: readonly number[]; readonly p: number }>;
}

/** The CIFAR-10 augmentation of train.py and pytorch-nin-cifar10's recipe. */
export const CIFAR10_AUGMENTATION = Object.freeze({ padding: 4, flip: true });

export interface TrainingBatch {
  /** Epoch of this batch, from 0. */
  readonly epoch: number;
  /** Position in the epoch of the batch's first image: the `0` of `Train Epoch: 1 [0/50000 (0%)]`. */
  readonly firstSample: number;
  /** Images in this batch (the last one of an epoch may be smaller). */
  readonly size: number;
  /** Whether the epoch ends with this batch. */
  readonly lastOfEpoch: boolean;
  /** [size, C, S, S] normalised as the spec says, NCHW, C the spec's channels, planes in its channel order. */
  readonly input: Float32Array;
  readonly inputDims: readonly [number, 1 | 3, number, number];
  /** [size, classes] one-hot targets. */
  readonly targets: Float32Array;
  /** The class index of each image. */
  readonly labels: Uint16Array;
  /** One 0/1 keep-mask per `options.dropout` entry, [size, ...shape]. */
  readonly dropoutMasks: readonly Float32Array[];
}

/**
 * Batches of a dataset for training or evaluation, epoch after epoch, reproducibly. Each epoch's order is a
 * shuffle seeded by (seed, epoch); crops, flips and Dropout masks come from one generator whose state travels in
 * `state`. So `BatchIterator.resume(dataset, options, saved)` continues exactly as the original would have.
 */
export class BatchIterator {
  private readonly count: number;
  private readonly seed: number;
  private epochNumber: number;
  private position: number;
  private readonly random: Random;
  private order: Uint32Array | undefined;

  private constructor(
    private readonly dataset: ImageDataset,
    private readonly options: BatchIteratorOptions,
    state: BatchIteratorState,
  ) {
    checkImageDataset(dataset);
    checkOptions(dataset, options);
    this.count = options.dropLast === true ? dataset.count - (dataset.count % options.batchSize) : dataset.count;
    if (this.count === 0)
      throw new RangeError(`BatchIterator: no batch of ${options.batchSize} in a dataset of ${dataset.count} images`);
    if (state.position >= this.count)
      throw new RangeError(`BatchIterator: position ${state.position} is past the ${this.count} images of an epoch`);
    this.seed = state.seed;
    this.epochNumber = state.epoch;
    this.position = state.position;
    this.random = Random.fromState(state.random);
  }

  static create(dataset: ImageDataset, options: BatchIteratorOptions): BatchIterator {
    const seed = options.seed ?? 0;
    // The per-batch generator is stream 0 of the seed; epoch orders are streams 1 + epoch.
    return new BatchIterator(dataset, options, {
      seed,
      epoch: 0,
      position: 0,
      random: Random.fromSeed(seed, 0).state,
      datasetCount: dataset.count,
    });
  }

  /** Continues from a state saved earlier with the same dataset and options. */
  static resume(dataset: ImageDataset, options: BatchIteratorOptions, state: BatchIteratorState): BatchIterator {
    checkBatchIteratorState(state, dataset.count);
    if (options.seed !== undefined && options.seed !== state.seed) {
      throw new RangeError(
        `BatchIterator.resume: the options say seed ${options.seed}, the saved state was made with seed ${state.seed}`,
      );
    }
    return new BatchIterator(dataset, options, state);
  }

  /** Serialisable position: epoch, place in it, generator state. Take it between batches. */
  get state(): BatchIteratorState {
    return {
      seed: this.seed,
      epoch: this.epochNumber,
      position: this.position,
      random: this.random.state,
      datasetCount: this.dataset.count,
    };
  }

  get epoch(): number {
    return this.epochNumber;
  }

  get batchesPerEpoch(): number {
    return Math.ceil(this.count / this.options.batchSize);
  }

  /** Images served per epoch (the dataset, less the dropped last batch with dropLast). */
  get imagesPerEpoch(): number {
    return this.count;
  }

  /** The rest of the current epoch, batch by batch; afterwards the iterator stands at the next epoch's start. */
  *epochBatches(): Generator<TrainingBatch> {
    for (;;) {
      const batch = this.next();
      yield batch;
      if (batch.lastOfEpoch) return;
    }
  }

  /** The next batch, moving on to the next epoch after the last batch of one. */
  next(): TrainingBatch {
    const { spec, batchSize } = this.options;
    const order = this.epochOrder();
    const size = Math.min(batchSize, this.count - this.position);
    const side = this.dataset.imageSize;
    const stored = datasetChannels(this.dataset);
    const planes = specChannels(spec);
    const planeValues = planes * side * side;
    const classes = this.dataset.classNames.length;
    const input = new Float32Array(size * planeValues);
    const targets = new Float32Array(size * classes);
    const labels = new Uint16Array(size);
    const augment = this.options.augment;

    for (let i = 0; i < size; i++) {
      const image = order === undefined ? this.position + i : order[this.position + i]!;
      const start = image * imageBytes(side, stored);
      const pixels = {
        data: this.dataset.pixels.subarray(start, start + imageBytes(side, stored)),
        width: side,
        height: side,
        channels: stored,
      };
      // Normalised by src/preprocess itself, so training sees exactly what inference will.
      const tensor = pixelsToTensor(pixels, spec);
      if (augment) {
        const cropFlip = drawCropFlip(this.random, augment.padding);
        cropFlipPlanes(
          tensor,
          planes,
          side,
          augment.padding,
          augment.flip ? cropFlip : { ...cropFlip, flip: false },
          input,
          i * planeValues,
        );
      } else {
        input.set(tensor, i * planeValues);
      }
      const label = this.dataset.labels[image]!;
      labels[i] = label;
      targets[i * classes + label] = 1;
    }
    const dropoutMasks = (this.options.dropout ?? []).map(({ shape, p }) =>
      dropoutMask(this.random, size * elementCount(shape), p),
    );

    const batch: TrainingBatch = {
      epoch: this.epochNumber,
      firstSample: this.position,
      size,
      lastOfEpoch: this.position + size >= this.count,
      input,
      inputDims: [size, planes, side, side],
      targets,
      labels,
      dropoutMasks,
    };
    this.position += size;
    if (batch.lastOfEpoch) {
      this.epochNumber += 1;
      this.position = 0;
      this.order = undefined;
    }
    return batch;
  }

  /** This epoch's order of images (undefined: dataset order), derived from (seed, epoch) alone. */
  private epochOrder(): Uint32Array | undefined {
    if (this.options.shuffle === false) return undefined;
    this.order ??= shuffledIndices(this.dataset.count, Random.fromSeed(this.seed, 1 + this.epochNumber));
    return this.order;
  }
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((count, size) => count * size, 1);
}

function checkOptions(dataset: ImageDataset, options: BatchIteratorOptions): void {
  checkPreprocessSpec(options.spec);
  if (options.spec.inputSize !== dataset.imageSize) {
    throw new RangeError(
      `BatchIterator: the spec's inputSize is ${options.spec.inputSize}, the dataset's images are ${dataset.imageSize}×${dataset.imageSize}`,
    );
  }
  // Grey is made before the resize (as PIL's convert('L') then Resize): RGB pixels already fitted cannot become it.
  if (specChannels(options.spec) !== datasetChannels(dataset)) {
    throw new RangeError(
      `BatchIterator: the spec takes ${specChannels(options.spec)}-channel images, ` +
        `the dataset holds ${datasetChannels(dataset)}-channel ones`,
    );
  }
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
    throw new RangeError(`BatchIterator: batchSize must be a positive whole number, got ${options.batchSize}`);
  }
  const { augment } = options;
  if (augment && (!Number.isInteger(augment.padding) || augment.padding < 0 || augment.padding > dataset.imageSize)) {
    throw new RangeError(
      `BatchIterator: augment.padding must be a whole number in [0, ${dataset.imageSize}], got ${augment.padding}`,
    );
  }
  for (const [i, { shape, p }] of (options.dropout ?? []).entries()) {
    if (!shape.every((size) => Number.isInteger(size) && size > 0))
      throw new RangeError(
        `BatchIterator: dropout[${i}].shape must hold positive whole numbers, got [${shape.join(', ')}]`,
      );
    if (!(p >= 0 && p < 1)) throw new RangeError(`BatchIterator: dropout[${i}].p must be in [0, 1), got ${p}`);
  }
}
