import type { InferenceSession, Tensor } from 'onnxruntime-common';
import {
  checkClassifierShapes,
  type ModelDtype,
  checkModel,
  type CheckedModel,
  withClassMaps,
  ModelError,
  readCheckedModelInfo,
  type ModelInfo,
} from '../model/index.js';
import { specChannels, type PreprocessSpec } from '../preprocess/index.js';
import {
  openSession,
  type OpenSessionOptions,
  type OrtModule,
  type ProviderAttempt,
  OnnxRuntimeError,
  ortErrorLine,
  type Platform,
  type Provider,
  type ClassifierSession,
  type OpenedClassifierSession,
} from '../runtime/index.js';
export type { ClassifierSession, OpenedClassifierSession } from '../runtime/index.js';
import { checkMapsAverageToLogits, type ClassMaps } from './class-maps.js';
import type { Classifier, ClassifyOptions } from './classifier-interface.js';
import { softmaxRow, topK, type Predictions } from './predictions.js';
import type { ProgressCallback } from './progress.js';

/** Turns one image, of whatever kinds a platform accepts, into a [C, S, S] float32 tensor following `spec`. */
export type Preprocessor<Image> = (image: Image, spec: PreprocessSpec) => Promise<Float32Array>;

/**
 * The ONNX Runtime module a session runs on (onnxruntime-node or onnxruntime-web): its InferenceSession and Tensor.
 *
 * @example
 * ```ts
 * import * as ort from 'onnxruntime-node';
 * import type { OrtWithTensor } from 'nin-sdk/train';
 * const runtime: OrtWithTensor = ort;
 * ```
 */
export interface OrtWithTensor extends OrtModule {
  readonly Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => Tensor;
}

export interface ClassifierSetup<Image> {
  readonly ort: OrtWithTensor;
  readonly platform: Platform;
  readonly providers: readonly Provider[];
  readonly strict?: boolean;
  readonly preprocess: Preprocessor<Image>;
  /** Images per ONNX Runtime run in classifyBatch. */
  readonly batchSize?: number;
  /** ONNX Runtime's session options, or a function that picks them from the model (its precision, say). */
  readonly sessionOptions?: InferenceSession.SessionOptions | ((info: ModelInfo) => InferenceSession.SessionOptions);
  /** The precision the caller asked for: a model of another is refused rather than run under the wrong name. */
  readonly dtype?: ModelDtype;
  /** Told of each provider tried and of the one that runs (`session`, then `ready`). */
  readonly onProgress?: ProgressCallback;
  /** Why a provider cannot start, when the platform knows without ONNX Runtime (see OpenSessionOptions). */
  readonly unavailable?: (provider: Provider) => string | undefined;
  /** Starts the session somewhere else than on this thread with `ort` (default: openSession). */
  readonly openSession?: (model: CheckedModel, options: OpenSessionOptions) => Promise<OpenedClassifierSession>;
}

type ModelOutputs = Readonly<Record<string, Pick<Tensor, 'data'>>>;

const DEFAULT_TOP = 5;
const DEFAULT_BATCH_SIZE = 32;

/**
 * The Classifier on ONNX Runtime, platform-neutral: Node and browsers differ only in the ORT module and the
 * preprocessor they pass in (loadClassifier of src/node and src/web). Runs are queued, so concurrent calls give
 * exactly the serial answers.
 */
export class OrtClassifier<Image> implements Classifier<Image> {
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  private constructor(
    readonly info: ModelInfo,
    /** The provider that really runs the model. */
    readonly provider: Provider,
    /** Providers that were tried first and failed, with why. */
    readonly fallbacks: readonly ProviderAttempt[],
    private readonly session: ClassifierSession,
    private readonly setup: ClassifierSetup<Image>,
    private readonly outputName: string,
    private readonly outputIsProbability: boolean,
    private readonly sourceName: string,
  ) {}

  /**
   * Checks the model (checkModel: decoded once, nothing external, only a classifier's operators, bounded sizes),
   * reads its metadata from that decoding, and starts its re-encoded bytes on the first provider that works.
   */
  static async create<Image>(
    bytes: Uint8Array,
    source: string,
    setup: ClassifierSetup<Image>,
  ): Promise<OrtClassifier<Image>> {
    // Models converted before nin-sdk offered class maps get them here, in memory (the file is left as it is).
    const model = withClassMaps(checkModel(bytes, source));
    const info = readCheckedModelInfo(model);
    if (info.inputChannels !== 1 && info.inputChannels !== 3) {
      // The preprocessing (sharp and canvas paths alike) makes grey or RGB/BGR planes, nothing else.
      throw new ModelError(
        `${source} takes ${info.inputChannels}-channel images (${info.family}): only grey (1-channel) and colour ` +
          '(3-channel) models can classify images',
      );
    }
    if (setup.dtype !== undefined && setup.dtype !== info.dtype) {
      throw new ModelError(
        `${source} is an ${info.dtype} model, not ${setup.dtype}` +
          (setup.dtype === 'int8' ? ' (make an int8 one with nin-sdk quantize)' : ''),
      );
    }
    const sessionOptions: OpenSessionOptions = {
      providers: setup.providers,
      strict: setup.strict,
      platform: setup.platform,
      sessionOptions: typeof setup.sessionOptions === 'function' ? setup.sessionOptions(info) : setup.sessionOptions,
      onAttempt: (provider) => setup.onProgress?.({ stage: 'session', source, provider }),
      ...(setup.unavailable === undefined ? {} : { unavailable: setup.unavailable }),
    };
    const opened: OpenedClassifierSession = await (setup.openSession?.(model, sessionOptions) ??
      openSession(setup.ort, model, sessionOptions));
    const { session } = opened;
    const probabilities = session.outputNames.includes(info.outputs.probabilities);
    const outputName = probabilities ? info.outputs.probabilities : info.outputs.logits;
    if (session.inputNames.length !== 1 || !session.outputNames.includes(outputName)) {
      await session.release();
      throw new ModelError(
        `${source} is not an image classifier: expected one input and an output named '${info.outputs.probabilities}' or ` +
          `'${info.outputs.logits}', found inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]`,
      );
    }
    try {
      checkClassifierShapes(info, session, outputName, source);
    } catch (error) {
      await session.release();
      throw error;
    }
    setup.onProgress?.({ stage: 'ready', source, provider: opened.provider });
    return new OrtClassifier(
      info,
      opened.provider,
      opened.fallbacks,
      session,
      setup,
      outputName,
      probabilities,
      source,
    );
  }

  get labels(): readonly string[] {
    return this.info.labels;
  }

  async classify(image: Image, options: ClassifyOptions = {}): Promise<Predictions> {
    const [result] = await this.classifyBatch([image], options);
    return result!;
  }

  /**
   * Classifies many images, preprocessing each and running them through the model in batches. The next batch is
   * preprocessed while one runs: its files are read on the thread pool meanwhile, and where the session runs in a
   * worker thread (loadClassifier's inWorker) its images are decoded meanwhile too.
   */
  async classifyBatch(images: readonly Image[], options: ClassifyOptions = {}): Promise<Predictions[]> {
    const top = options.top ?? DEFAULT_TOP;
    if (!Number.isInteger(top) || top < 1) throw new RangeError(`top must be a positive integer, got ${top}`);
    if (options.maps === true && this.info.classMaps === undefined) {
      throw new ModelError(
        `${this.source} has no class maps: its logits are not the global average of a last convolutional map`,
      );
    }
    const batchSize = this.setup.batchSize ?? DEFAULT_BATCH_SIZE;
    const prepare = (start: number): Promise<Float32Array[]> =>
      Promise.all(
        images.slice(start, start + batchSize).map((image) => this.setup.preprocess(image, this.info.preprocessing)),
      );
    const results: Predictions[] = [];
    let prepared = images.length > 0 ? prepare(0) : undefined;
    for (let start = 0; prepared !== undefined; start += batchSize) {
      const tensors = await prepared;
      prepared = start + batchSize < images.length ? prepare(start + batchSize) : undefined;
      // Awaited on the next turn; if this batch fails first, its failure is this call's and the next one's moot.
      prepared?.catch(() => undefined);
      const outputs = await this.runBatch(tensors);
      const probabilities = this.probabilitiesOf(outputs, tensors.length);
      const classes = this.info.labels.length;
      for (let i = 0; i < tensors.length; i++) {
        const predictions = topK(
          probabilities.subarray(i * classes, (i + 1) * classes),
          this.info.labels,
          top,
          this.provider,
        );
        results.push(options.maps === true ? { ...predictions, maps: this.mapsOf(outputs, i) } : predictions);
      }
      options.onProgress?.({ stage: 'classify', done: results.length, total: images.length });
    }
    return results;
  }

  /** Class probabilities [n × classes] for already preprocessed [C, S, S] tensors (C: the model's channels). */
  async probabilities(tensors: readonly Float32Array[]): Promise<Float32Array> {
    return this.probabilitiesOf(await this.runBatch(tensors), tensors.length);
  }

  /** The logits [n × classes] for already preprocessed [C, S, S] tensors, as the model's logits output gives them. */
  async logits(tensors: readonly Float32Array[]): Promise<Float32Array> {
    const logits = (await this.runBatch(tensors))[this.info.outputs.logits]?.data;
    const classes = this.info.labels.length;
    if (!(logits instanceof Float32Array) || logits.length !== tensors.length * classes) {
      throw new ModelError(`${this.sourceName}: the model gave no ${classes} logits per image`);
    }
    return logits;
  }

  /** How errors name the model: its path, or 'model bytes'. */
  get source(): string {
    return this.sourceName;
  }

  /** The model's outputs for already preprocessed [C, S, S] tensors, batched into one run. */
  private async runBatch(tensors: readonly Float32Array[]): Promise<ModelOutputs> {
    const size = this.info.preprocessing.inputSize;
    const channels = specChannels(this.info.preprocessing);
    const plane = channels * size * size;
    const batch = new Float32Array(tensors.length * plane);
    tensors.forEach((tensor, i) => {
      if (tensor.length !== plane)
        throw new Error(`internal: preprocessed tensor has ${tensor.length} values, expected ${plane}`);
      batch.set(tensor, i * plane);
    });
    return this.run(new this.setup.ort.Tensor('float32', batch, [tensors.length, channels, size, size]));
  }

  private probabilitiesOf(outputs: ModelOutputs, images: number): Float32Array {
    const output = outputs[this.outputName]!.data as Float32Array;
    const classes = this.info.labels.length;
    if (output.length !== images * classes) {
      throw new ModelError(`the model gave ${output.length} scores for ${images} images of ${classes} classes`);
    }
    if (this.outputIsProbability) return output;
    const probabilities = new Float32Array(output.length);
    for (let i = 0; i < images; i++)
      probabilities.set(softmaxRow(output.subarray(i * classes, (i + 1) * classes)), i * classes);
    return probabilities;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.queue.catch(() => undefined);
    await this.session.release();
  }

  /** Image `i`'s class maps and logits from a batch's outputs (the model has maps: checked by the caller). */
  private mapsOf(outputs: ModelOutputs, i: number): ClassMaps {
    const { classMaps, labels, outputs: names, preprocessing } = this.info;
    const [height, width] = classMaps!.size;
    const classes = labels.length;
    const plane = classes * height * width;
    const maps = outputs[names.maps!]?.data;
    const logits = outputs[names.logits]?.data;
    if (!(maps instanceof Float32Array) || !(logits instanceof Float32Array) || maps.length < (i + 1) * plane) {
      throw new ModelError(`${this.sourceName}: the model gave no ${height}×${width} class maps of ${classes} classes`);
    }
    const result: ClassMaps = {
      labels,
      height,
      width,
      data: maps.slice(i * plane, (i + 1) * plane),
      logits: logits.slice(i * classes, (i + 1) * classes),
      geometry: classMaps!.geometry,
      inputSize: preprocessing.inputSize,
    };
    checkMapsAverageToLogits(result, this.sourceName);
    return result;
  }

  private run(input: Tensor): Promise<ModelOutputs> {
    if (this.disposed) return Promise.reject(new Error('this classifier has been disposed'));
    const next = this.queue.then(async () => {
      let outputs;
      try {
        outputs = await this.session.run({ [this.session.inputNames[0]!]: input });
      } catch (error) {
        throw new OnnxRuntimeError(`ONNX Runtime could not run the model: ${ortErrorLine(error)}`, { cause: error });
      }
      return outputs;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}
