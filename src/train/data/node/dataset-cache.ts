import { mkdir, readdir, stat } from 'node:fs/promises';
import { readRegularFile, sha256Hex, writeFileAtomic } from '../../../io/index.js';
import { join, resolve } from 'node:path';
import type { PreprocessSpec } from '../../../preprocess/index.js';
import { decodeDatasetCache, encodeDatasetCache } from '../dataset-cache-format.js';
import type { ImageDataset } from '../image-dataset.js';

/** What decides the cached pixels: change any of it and the cache is another file. */
export interface DatasetCacheInputs {
  readonly source: string;
  readonly spec: Pick<PreprocessSpec, 'inputSize' | 'resizeShorterSide' | 'channels'>;
  readonly classNames: readonly string[] | undefined;
  readonly limit: number | undefined;
  /** Seeds the `limit` sample; not part of the key without a limit (nothing is drawn then). */
  readonly seed?: number;
}

const CACHE_EXTENSION = '.nin-images';

/**
 * A key for the cache of `inputs`: a hash of the source's identity (absolute path; size and modification time of a
 * tar, of every file of a folder) and of the geometry, channels, class names, limit and the seed of a limit's sample. Normalisation is not in it:
 * the cache holds pixels, normalised per batch. Only a grey (1-channel) spec adds its channels, so RGB keys are the
 * ones made before grey training and their cache files are still found.
 */
export async function datasetCacheKey(inputs: DatasetCacheInputs): Promise<string> {
  const source = resolve(inputs.source);
  const description = JSON.stringify({
    source,
    files: await fileSignatures(source),
    inputSize: inputs.spec.inputSize,
    resizeShorterSide: inputs.spec.resizeShorterSide,
    ...(inputs.spec.channels === 1 ? { channels: 1 } : {}),
    classNames: inputs.classNames ?? null,
    limit: inputs.limit ?? null,
    // What decides a limit's sample: drawn per class (stratified) with this seed. Keys of first-n subsets lacked it.
    ...(inputs.limit === undefined ? {} : { sample: 'stratified', seed: inputs.seed ?? 0 }),
  });
  return sha256Hex(description);
}

export function datasetCacheFile(cacheDir: string, key: string): string {
  return join(cacheDir, `${key.slice(0, 24)}${CACHE_EXTENSION}`);
}

/** The cached dataset, or undefined when there is no usable cache file (missing, stale, damaged: all rebuilt). */
export async function readDatasetCache(file: string, key: string): Promise<ImageDataset | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await readRegularFile(file);
  } catch {
    return undefined;
  }
  try {
    return decodeDatasetCache(bytes, key);
  } catch {
    return undefined;
  }
}

/** Writes the cache whole or not at all (temporary file, then rename), so a killed run never leaves half a cache. */
export async function writeDatasetCache(
  file: string,
  dataset: ImageDataset,
  key: string,
  cacheDir: string,
): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  await writeFileAtomic(file, encodeDatasetCache(dataset, key));
}

/** size:mtime of a tar, or of each file under a folder's class folders (sorted), so an edited dataset misses the cache. */
async function fileSignatures(source: string): Promise<string[]> {
  const info = await stat(source);
  if (!info.isDirectory()) return [`${info.size}:${info.mtimeMs}`];
  const signatures: string[] = [];
  for (const classDir of (await readdir(source, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()) {
    for (const file of (await readdir(join(source, classDir))).sort()) {
      const fileInfo = await stat(join(source, classDir, file));
      signatures.push(`${classDir}/${file}:${fileInfo.size}:${fileInfo.mtimeMs}`);
    }
  }
  return signatures;
}
