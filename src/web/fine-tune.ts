import { parseProviders, type WebProvider } from '../runtime/index.js';
import {
  fitPixels,
  type ImageDataset,
  imageBytes,
  runFineTune,
  type FineTuneBatchProgress,
  type FineTuneEpoch,
  type FineTuneRunResult,
  type FineTuneSettings,
  readTrainingStart,
} from '../train/internal.js';
import { specChannels } from '../preprocess/index.js';
import { decodeImage, type WebImage } from './decode-image.js';
import { DEFAULT_MODEL_URL, readModelBytes, type WebModelSource } from './model-source.js';
import { ort, setWasmPaths, type WasmPaths } from './ort-web.js';

/**
 * One training image and its class folder: what fineTune trains on. classFolderImages makes them from a folder
 * picker; a page can make them from any images it has.
 *
 * @example
 * ```ts
 * import { fineTune, type WebTrainingImage } from 'nin-sdk/web';
 * declare const toadPhotos: File[];
 * declare const frogPhotos: File[];
 * const images: WebTrainingImage[] = [
 *   ...toadPhotos.map((image) => ({ image, folder: 'toad' })),
 *   ...frogPhotos.map((image) => ({ image, folder: 'frog' })),
 * ];
 * const run = await fineTune({ images }); // 'toad' is no CIFAR-10 label: a new classifier, labels ['frog', 'toad']
 * ```
 */
export interface WebTrainingImage {
  /** Decoded (`ImageData`, raw pixels, `ImageBitmap`, a canvas, a loaded `<img>`) or an encoded `File` / `Blob`. */
  readonly image: WebImage;
  /**
   * The name of its class folder, as `nin-sdk train --data <folder>` reads `<folder>/<class>/<image>` (see
   * classFolderImages). Folders that are all labels of the model keep its classifier; any other asks for a new one.
   */
  readonly folder: string;
}

/**
 * fineTune's batch size unless `batchSize` is given: small folders want several steps an epoch, and the CLI's
 * batch of 128 would take one step a pass over 50 images.
 *
 * @example
 * ```ts
 * import { WEB_FINE_TUNE_BATCH_SIZE } from 'nin-sdk/web';
 * declare const batchInput: HTMLInputElement;
 * batchInput.placeholder = String(WEB_FINE_TUNE_BATCH_SIZE); // 16: what an empty field trains with
 * ```
 */
export const WEB_FINE_TUNE_BATCH_SIZE = 16;
/**
 * fineTune's epochs unless `epochs` is given: a few passes, enough for a new classifier over a trained model's
 * features, short enough to watch.
 *
 * @example
 * ```ts
 * import { fineTune, WEB_FINE_TUNE_EPOCHS, type WebTrainingImage } from 'nin-sdk/web';
 * declare const images: WebTrainingImage[];
 * const run = await fineTune({ images, epochs: 2 * WEB_FINE_TUNE_EPOCHS }); // twice the default passes
 * ```
 */
export const WEB_FINE_TUNE_EPOCHS = 3;

/**
 * What fineTune trains and how: the images, the model to start from, the providers, the run's settings (epochs,
 * batch size, optimizer, learning rate, seed, validation split, freezing; `nin-sdk train --from`'s defaults except
 * WEB_FINE_TUNE_EPOCHS and WEB_FINE_TUNE_BATCH_SIZE), a stop signal and progress callbacks.
 *
 * @example
 * ```ts
 * import { classFolderImages, fineTune, type WebFineTuneOptions } from 'nin-sdk/web';
 * declare const folderInput: HTMLInputElement;
 * const stop = new AbortController();
 * const options: WebFineTuneOptions = {
 *   images: classFolderImages(folderInput.files ?? []).images,
 *   provider: ['webgpu', 'wasm'],
 *   wasmPaths: '/ort/',
 *   validation: 0.2,
 *   freeze: 'features',
 *   signal: stop.signal,
 *   onDecode: (decoded, total) => console.log(`decoded ${decoded} of ${total}`),
 *   onEpoch: (epoch) => console.log(epoch.epoch, epoch.trainLoss, epoch.validation?.accuracy),
 * };
 * const run = await fineTune(options);
 * ```
 */
export interface WebFineTuneOptions extends Partial<FineTuneSettings> {
  /** The training images (see classFolderImages for a folder picker's files). */
  readonly images: readonly WebTrainingImage[];
  /**
   * The model to start from: an ONNX model of nin-convert or nin-sdk train, a PyTorch checkpoint the converter
   * recognises, or a checkpoint.nintrain (URL, File, bytes). Default `DEFAULT_MODEL_URL` (the fp32 default model
   * next to the page: the int8 one has no trainable form).
   */
  readonly model?: WebModelSource;
  /** One provider or an ordered list ('webgpu' | 'wasm'); default 'wasm'. The result names the one that ran. */
  readonly provider?: WebProvider | readonly WebProvider[];
  /** Fail when the first provider cannot start instead of falling back (default false). */
  readonly strict?: boolean;
  /** As loadClassifier's: where onnxruntime-web's .wasm/.mjs files are served, read when the first session starts. */
  readonly wasmPaths?: WasmPaths;
  /** Largest encoded image decoded, in pixels, checked on its header first (default 100 megapixels). */
  readonly maxPixels?: number;
  /** Aborting it ends the run after the batch in progress (the result says 'stopped'), or its decoding at once. */
  readonly signal?: AbortSignal;
  /** Told of each image decoded: how many so far, of how many. */
  readonly onDecode?: (decoded: number, total: number) => void;
  /** Told after each batch: its epoch and batch numbers, its loss, the images per second so far. */
  readonly onBatch?: (progress: FineTuneBatchProgress) => void;
  /** Told after each epoch: its mean training loss, and the validation figures with a split. */
  readonly onEpoch?: (epoch: FineTuneEpoch) => void;
}

/**
 * What fineTune made: the model (ONNX bytes for loadClassifier or a download) and how the run went (status, best
 * epoch, per-epoch figures, the provider that ran, what was frozen or replaced).
 *
 * @example
 * ```ts
 * import { fineTune, loadClassifier, type WebFineTuneResult, type WebTrainingImage } from 'nin-sdk/web';
 * declare const images: WebTrainingImage[];
 * const run: WebFineTuneResult = await fineTune({ images, validation: 0.2 });
 * console.log(run.status, run.provider, run.labels, run.bestEpoch, run.bestAccuracy);
 * const classifier = await loadClassifier(run.onnx);
 * ```
 */
export type WebFineTuneResult = FineTuneRunResult;

/**
 * Fine-tunes a trained model on images in class folders, in the page, on onnxruntime-web: the same run as
 * `nin-sdk train --from <model> --data <folder>` (same decisions, split, optimizer, augmentation and data order for
 * the same seed; training graphs in standard ONNX ops, run as ordinary inference sessions). Folders that are not all
 * the model's labels replace its classifier by a new one labelled with the folder names, sorted. The result's
 * `onnx` is an ordinary model: its labels and the start's preprocessing in its metadata.
 * Defaults: WEB_FINE_TUNE_EPOCHS epochs of batch WEB_FINE_TUNE_BATCH_SIZE, SGD at the fine-tuning rate (0.01), seed
 * 0, no validation split (`validation: 0.2` holds out a fifth, stratified, and keeps the best epoch).
 *
 * @param options - the images and the run's settings
 * @returns the fine-tuned model and the run's figures
 * @throws RangeError for images that cannot train (none, one class without `allowOneClass`, a split that leaves
 * nothing); ImageError for an image that cannot be decoded; CheckpointError, ArchitectureError or ModelError for a
 * model that cannot start a training; ProviderError when no provider starts (or, `strict`, the first fails)
 * @example
 * ```ts
 * import { classFolderImages, fineTune, loadClassifier } from 'nin-sdk/web';
 * declare const folderInput: HTMLInputElement; // <input type="file" webkitdirectory>
 * const { images } = classFolderImages(folderInput.files ?? []);
 * const run = await fineTune({ images, validation: 0.2, wasmPaths: '/ort/', onBatch: (p) => console.log(p.loss) });
 * const classifier = await loadClassifier(run.onnx); // run.labels: the folder names, e.g. ['plane', 'toad']
 * ```
 */
export async function fineTune(options: WebFineTuneOptions): Promise<WebFineTuneResult> {
  const providers = parseProviders(options.provider as string | readonly string[] | undefined, 'web');
  setWasmPaths(options.wasmPaths);
  const { bytes, source } = await readModelBytes(options.model ?? DEFAULT_MODEL_URL);
  const start = readTrainingStart(bytes, source);
  const data = await decodeTrainingImages(options, start.preprocessing);
  const { signal } = options;
  return runFineTune({
    ort,
    platform: 'web',
    providers,
    ...(options.strict === undefined ? {} : { strict: options.strict }),
    // As the classifier's sessions: a provider that fails to start is reported in `fallbacks`, not logged.
    sessionOptions: { logSeverityLevel: 3 },
    start,
    data,
    settings: {
      ...options,
      epochs: options.epochs ?? WEB_FINE_TUNE_EPOCHS,
      batchSize: options.batchSize ?? WEB_FINE_TUNE_BATCH_SIZE,
    },
    ...(options.onBatch === undefined ? {} : { onBatch: options.onBatch }),
    ...(options.onEpoch === undefined ? {} : { onEpoch: options.onEpoch }),
    ...(signal === undefined ? {} : { shouldStop: () => signal.aborted }),
  });
}

/**
 * The images decoded and fitted to the model's input (fitPixels: the CLI's geometry and channels), class folders
 * sorted as the CLI sorts them, each folder's images in the order given.
 */
async function decodeTrainingImages(
  options: WebFineTuneOptions,
  spec: Parameters<typeof fitPixels>[1],
): Promise<ImageDataset> {
  const { images, signal } = options;
  const classNames = [...new Set(images.map((i) => i.folder))].sort();
  const classIndex = new Map(classNames.map((name, index) => [name, index]));
  // A stable sort: by class, each class's images in the order given.
  const ordered = images
    .map((entry, given) => ({ entry, given, label: classIndex.get(entry.folder)! }))
    .sort((a, b) => a.label - b.label || a.given - b.given);
  const channels = specChannels(spec);
  const bytes = imageBytes(spec.inputSize, channels);
  const pixels = new Uint8Array(ordered.length * bytes);
  for (const [k, { entry }] of ordered.entries()) {
    signal?.throwIfAborted();
    const decoded = await decodeImage(
      entry.image,
      options.maxPixels === undefined ? {} : { maxPixels: options.maxPixels },
    );
    pixels.set(fitPixels(decoded, spec), k * bytes);
    options.onDecode?.(k + 1, ordered.length);
  }
  return {
    imageSize: spec.inputSize,
    count: ordered.length,
    pixels,
    labels: Uint16Array.from(ordered, (o) => o.label),
    classNames,
    ...(channels === 1 ? { channels } : {}),
  };
}
