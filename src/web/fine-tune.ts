import { parseProviders } from '../runtime/providers.js';
import { fitPixels } from '../train/data/fit-pixels.js';
import type { ImageDataset } from '../train/data/image-dataset.js';
import { imageBytes } from '../train/data/image-dataset.js';
import {
  runFineTune,
  type FineTuneBatchProgress,
  type FineTuneEpoch,
  type FineTuneRunResult,
  type FineTuneSettings,
} from '../train/fine-tune-run.js';
import { readTrainingStart } from '../train/training-start.js';
import { specChannels } from '../preprocess/spec.js';
import type { WebProvider } from '../runtime/providers.js';
import { decodeImage, type WebImage } from './decode-image.js';
import { DEFAULT_MODEL_URL, readModelBytes, type WebModelSource } from './model-source.js';
import { ort, setWasmPaths, type WasmPaths } from './ort-web.js';

/** One training image and its class folder. */
export interface WebTrainingImage {
  /** Decoded (`ImageData`, raw pixels, `ImageBitmap`, a canvas, a loaded `<img>`) or an encoded `File` / `Blob`. */
  readonly image: WebImage;
  /**
   * The name of its class folder, as `nin-sdk train --data <folder>` reads `<folder>/<class>/<image>` (see
   * classFolderImages). Folders that are all labels of the model keep its classifier; any other asks for a new one.
   */
  readonly folder: string;
}

/** Small folders want several steps an epoch: the CLI's batch of 128 would take one step a pass over 50 images. */
export const WEB_FINE_TUNE_BATCH_SIZE = 16;
/** A few passes: enough for a new classifier over a trained model's features, short enough to watch. */
export const WEB_FINE_TUNE_EPOCHS = 3;

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
  readonly onBatch?: (progress: FineTuneBatchProgress) => void;
  readonly onEpoch?: (epoch: FineTuneEpoch) => void;
}

/** What fineTune made: the model (ONNX bytes for loadClassifier or a download) and how the run went. */
export type WebFineTuneResult = FineTuneRunResult;

/**
 * Fine-tunes a trained model on images in class folders, in the page, on onnxruntime-web: the same run as
 * `nin-sdk train --from <model> --data <folder>` (same decisions, split, optimizer, augmentation and data order for
 * the same seed; training graphs in standard ONNX ops, run as ordinary inference sessions). Folders that are not all
 * the model's labels replace its classifier by a new one labelled with the folder names, sorted. The result's
 * `onnx` is an ordinary model: its labels and the start's preprocessing in its metadata.
 * Defaults: WEB_FINE_TUNE_EPOCHS epochs of batch WEB_FINE_TUNE_BATCH_SIZE, SGD at the fine-tuning rate (0.01), seed
 * 0, no validation split (`validation: 0.2` holds out a fifth, stratified, and keeps the best epoch).
 * @param options the images and the run's settings
 * @returns the fine-tuned model and the run's figures
 * @example
 * const { images } = classFolderImages(folderInput.files);   // <input type="file" webkitdirectory>
 * const run = await fineTune({ images, validation: 0.2, wasmPaths: '/ort/', onBatch: (p) => console.log(p.loss) });
 * const classifier = await loadClassifier(run.onnx);          // run.labels: the folder names, e.g. ['plane', 'toad']
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
