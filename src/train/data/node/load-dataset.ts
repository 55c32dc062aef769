import { listLabeledImages, readLabeledImages } from '../../../datasets/node/index.js';
import { labelFolderName, labelIndexByFolder } from '../label-folders.js';
import { checkPreprocessSpec, specChannels, type PreprocessSpec } from '../../../preprocess/index.js';
import { datasetCacheFile, datasetCacheKey, readDatasetCache, writeDatasetCache } from './dataset-cache.js';
import { decodeToInputSize } from './decode.js';
import { imageBytes, type ImageDataset } from '../image-dataset.js';
import { LIMIT_SAMPLE_STREAM, stratifiedSample } from '../stratified-sample.js';

export interface LoadImageDatasetOptions {
  /** inputSize, resizeShorterSide and channels decide each image's pixels (the rest of the spec applies per batch). */
  readonly spec: PreprocessSpec;
  /**
   * Folder for the cache file: when given, the decoded dataset is stored there (written atomically) and later
   * loads of the same source, geometry, classes and limit read it instead of decoding again.
   */
  readonly cacheDir?: string;
  /**
   * Class names by label index (e.g. the model's labels), each read from its folder (labelFolderName: '/' as '_').
   * Default: the class folders found, sorted, as torchvision's ImageFolder numbers them. An image of a class
   * outside a given list is an error.
   */
  readonly classNames?: readonly string[];
  /**
   * Load only `limit` images: a seeded sample stratified by class (each class folder's share in proportion to its
   * size, its images drawn uniformly), so that a subset of a class-sorted tar has every class. All images when the
   * data has no more than `limit`.
   */
  readonly limit?: number;
  /** Seeds the `limit` sample (default 0): the same seed draws the same images. */
  readonly seed?: number;
  /** Images being decoded at once (sharp works off the main thread). Default 4. */
  readonly concurrency?: number;
  /** Called now and then with the number of images loaded so far. */
  readonly onProgress?: (loaded: number) => void;
}

export interface LoadedImageDataset {
  readonly dataset: ImageDataset;
  /** Whether the pixels came from the cache file rather than from decoding. */
  readonly fromCache: boolean;
  /** The cache file read or written; undefined without `cacheDir`. */
  readonly cacheFile: string | undefined;
}

const PROGRESS_EVERY = 1000;

/**
 * A folder or tar of `<class>/<image>` files (see src/datasets/node/dataset.ts) → an ImageDataset of the spec's input size:
 * every image decoded once (sharp), fitted to the input size with inference's geometry, kept as RGB bytes (grey
 * bytes for a 1-channel spec).
 */
export async function loadImageDataset(source: string, options: LoadImageDatasetOptions): Promise<LoadedImageDataset> {
  checkPreprocessSpec(options.spec);
  const { limit, classNames } = options;
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
    throw new RangeError(`loadImageDataset: limit must be a positive whole number, got ${limit}`);
  if (classNames !== undefined && new Set(classNames).size !== classNames.length)
    throw new RangeError('loadImageDataset: classNames has duplicates');

  if (options.cacheDir === undefined)
    return { dataset: await decodeDataset(source, options), fromCache: false, cacheFile: undefined };

  const key = await datasetCacheKey({ source, spec: options.spec, classNames, limit, seed: options.seed ?? 0 });
  const cacheFile = datasetCacheFile(options.cacheDir, key);
  const cached = await readDatasetCache(cacheFile, key);
  if (cached !== undefined) return { dataset: cached, fromCache: true, cacheFile };
  const dataset = await decodeDataset(source, options);
  await writeDatasetCache(cacheFile, dataset, key, options.cacheDir);
  return { dataset, fromCache: false, cacheFile };
}

async function decodeDataset(source: string, options: LoadImageDatasetOptions): Promise<ImageDataset> {
  const { spec, limit = Infinity, onProgress } = options;
  const concurrency = options.concurrency ?? 4;
  if (!(Number.isInteger(concurrency) && concurrency > 0))
    throw new RangeError(`loadImageDataset: concurrency must be a positive whole number, got ${concurrency}`);
  const channels = specChannels(spec);
  const pixels = new GrowingBytes(imageBytes(spec.inputSize, channels));
  const labels = new ClassLabels(options.classNames);
  const chosen = limit === Infinity ? undefined : await sampledPositions(source, limit, options.seed ?? 0);

  // A window of decodes in flight, taken in order, so images keep their dataset order.
  const inFlight: Array<Promise<Uint8Array>> = [];
  const takeOldest = async (): Promise<void> => {
    pixels.append(await inFlight.shift()!);
    if (onProgress !== undefined && pixels.count % PROGRESS_EVERY === 0) onProgress(pixels.count);
  };
  const wanted = chosen === undefined ? undefined : (position: number): boolean => chosen[position] === 1;
  for await (const image of readLabeledImages(source, wanted)) {
    labels.add(image.className, image.name);
    const decoding = decodeToInputSize(image.bytes, spec).catch((error: unknown) => {
      throw new Error(
        `cannot load ${image.name} from ${source}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    });
    // Handled later, in order; this keeps a failure that comes before its turn from counting as unhandled.
    decoding.catch(() => undefined);
    inFlight.push(decoding);
    if (inFlight.length >= concurrency) await takeOldest();
  }
  while (inFlight.length > 0) await takeOldest();
  onProgress?.(pixels.count);

  const { labels: labelArray, classNames } = labels.finish();
  return {
    imageSize: spec.inputSize,
    count: pixels.count,
    pixels: pixels.bytes(),
    labels: labelArray,
    classNames,
    ...(channels === 1 ? { channels } : {}),
  };
}

/**
 * The images of loadImageDataset's `limit` sample, as a mark (1) at each chosen position in listing order (the
 * positions readLabeledImages's `wanted` is asked about), or undefined when the
 * data has no more than `limit` images. A first pass lists names only (nothing is decoded or held but names), the
 * sample is drawn per class folder in sorted folder order, and the second pass reads the chosen images alone.
 */
export async function sampledPositions(source: string, limit: number, seed: number): Promise<Uint8Array | undefined> {
  const names = await listLabeledImages(source);
  if (names.length <= limit) return undefined;
  const classes = [...new Set(names.map((n) => n.className))].sort();
  const classIndex = new Map(classes.map((name, index) => [name, index]));
  const positionsOf: number[][] = classes.map(() => []);
  names.forEach((n, position) => positionsOf[classIndex.get(n.className)!]!.push(position));
  const drawn = stratifiedSample(
    positionsOf.map((p) => p.length),
    limit,
    seed,
    LIMIT_SAMPLE_STREAM,
  );
  const chosen = new Uint8Array(names.length);
  drawn.forEach((indices, c) => indices.forEach((i) => (chosen[positionsOf[c]![i]!] = 1)));
  return chosen;
}

/** Fixed-size records appended to one buffer that doubles as it fills (the image count of a tar is not known ahead). */
class GrowingBytes {
  private buffer: Uint8Array;
  count = 0;

  constructor(private readonly recordBytes: number) {
    this.buffer = new Uint8Array(recordBytes * 1024);
  }

  append(record: Uint8Array): void {
    if (record.length !== this.recordBytes)
      throw new RangeError(`image of ${record.length} bytes where ${this.recordBytes} were expected`);
    const end = (this.count + 1) * this.recordBytes;
    if (end > this.buffer.length) {
      const grown = new Uint8Array(this.buffer.length * 2);
      grown.set(this.buffer);
      this.buffer = grown;
    }
    this.buffer.set(record, end - this.recordBytes);
    this.count += 1;
  }

  /** The records, trimmed to size (a copy only when the buffer is larger than needed). */
  bytes(): Uint8Array {
    const length = this.count * this.recordBytes;
    return length === this.buffer.length ? this.buffer : this.buffer.slice(0, length);
  }
}

/** Labels as class indices: into the given class names, or into the sorted names found, fixed once all are seen. */
class ClassLabels {
  private readonly indexOf: Map<string, number> = new Map();
  private readonly found: number[] = [];

  constructor(private readonly given: readonly string[] | undefined) {
    // Given names are labels, found in their folders (`T-shirt/top` in T-shirt_top/); found names are folders.
    if (given !== undefined) this.indexOf = labelIndexByFolder(given);
  }

  add(className: string, imageName: string): void {
    let index = this.indexOf.get(className);
    if (index === undefined) {
      if (this.given !== undefined)
        throw new RangeError(
          `${imageName}: class '${className}' is not one of the ${this.given.length} class names given` +
            ` (folders ${this.given.slice(0, 10).map(labelFolderName).join(', ')}${this.given.length > 10 ? ', …' : ''})`,
        );
      index = this.indexOf.size;
      this.indexOf.set(className, index);
    }
    this.found.push(index);
  }

  finish(): { labels: Uint16Array; classNames: readonly string[] } {
    if (this.given !== undefined) return { labels: Uint16Array.from(this.found), classNames: [...this.given] };
    // Names were numbered in order of appearance; renumber them in sorted order, as ImageFolder does.
    const classNames = [...this.indexOf.keys()].sort();
    if (classNames.length > 0xffff) throw new RangeError(`${classNames.length} classes: at most 65,535 fit a label`);
    const sortedIndex = new Map(classNames.map((name, index) => [name, index]));
    const renumber = [...this.indexOf].map(([name]) => sortedIndex.get(name)!);
    return { labels: Uint16Array.from(this.found, (index) => renumber[index]!), classNames };
  }
}
