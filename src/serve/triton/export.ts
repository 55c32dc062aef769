import * as ort from 'onnxruntime-node';
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkModel, type CheckedModel, readCheckedModelInfo } from '../../model/index.js';
import { createSession, datatypeOfOrt } from '../../runtime/index.js';
import type { ModelMetadata, TensorMetadata } from '../protocol.js';
import { MODEL_VERSION, ONNX_PLATFORM } from '../served-model.js';
import { LABEL_FILE, tritonConfigText, tritonModelConfig, type TritonConfigOptions } from './config.js';
import { withPreprocessingGraph } from './preprocessing-graph.js';
import { readRegularFile } from '../../io/index.js';

export interface TritonExportOptions {
  /** The model's name in the repository (default: the file name without .onnx). */
  readonly name: string;
  readonly maxBatchSize: number;
  /** Instances of the model Triton runs (instance_group count). */
  readonly instances: number;
  readonly instanceKind: NonNullable<TritonConfigOptions['instanceKind']>;
  /** Dynamic batching's max_queue_delay_microseconds. */
  readonly maxQueueDelayMicroseconds: number;
  /** Put the model's normalisation in the graph: uint8 NHWC pixels in. */
  readonly withPreprocessing: boolean;
  /** Replace the model's folder when it exists (`--force`); without it an existing folder is refused. */
  readonly force?: boolean;
}

export interface TritonExport {
  /** The model's folder inside the repository. */
  readonly directory: string;
  readonly files: readonly string[];
  readonly metadata: ModelMetadata;
}

/**
 * Writes `<repo>/<name>/config.pbtxt`, `<repo>/<name>/1/model.onnx` and `<repo>/<name>/labels.txt`, a model
 * Triton Inference Server (and KServe's Triton runtime) loads as it is. The folder appears whole or not at all:
 * it is written beside its place and renamed into it. An existing one is refused, or with `force` replaced whole:
 * moved aside, the new one renamed in, then the old one removed (put back if the rename fails).
 */
export async function exportTritonRepository(
  modelPath: string,
  repository: string,
  options: TritonExportOptions,
): Promise<TritonExport> {
  if (!/^[A-Za-z0-9_.-]+$/.test(options.name) || options.name.startsWith('.')) {
    throw new RangeError(
      `the model name '${options.name}' must be letters, digits, '_', '-' or '.', not starting with '.'`,
    );
  }
  // Checked as every model nin-sdk loads (docs/security.md), and written as checked: Triton's ONNX Runtime then
  // loads the bytes that were checked, not the file's own, which another parser may read otherwise.
  const source = checkModel(await readRegularFile(modelPath), modelPath);
  const info = readCheckedModelInfo(source);
  if (info.labels.some((label) => /[\r\n]/.test(label)))
    throw new RangeError(`${modelPath}: a label contains a line break, which labels.txt cannot hold`);
  const model = options.withPreprocessing
    ? checkModel(withPreprocessingGraph(source.proto, info.preprocessing), modelPath)
    : source;
  const metadata = await readIoMetadata(model, options.name, modelPath);
  const config = tritonModelConfig(
    { name: options.name, metadata, info },
    {
      maxBatchSize: options.maxBatchSize,
      maxQueueDelayMicroseconds: options.maxQueueDelayMicroseconds,
      instances: options.instances,
      instanceKind: options.instanceKind,
      labelFile: true,
    },
  );
  const directory = join(repository, options.name);
  const replacing = await exists(directory);
  if (replacing && options.force !== true)
    throw new RangeError(`${directory} already exists: remove it, choose another --name or add --force`);
  await mkdir(repository, { recursive: true });
  const hidden = (what: string): string =>
    join(repository, `.${options.name}.${randomBytes(6).toString('hex')}.${what}`);
  const staging = hidden('tmp');
  try {
    await mkdir(join(staging, MODEL_VERSION), { recursive: true });
    await writeFile(join(staging, 'config.pbtxt'), tritonConfigText(config));
    await writeFile(join(staging, MODEL_VERSION, 'model.onnx'), model.bytes);
    await writeFile(join(staging, LABEL_FILE), `${info.labels.join('\n')}\n`);
    if (replacing) await replaceDirectory(directory, staging, hidden('old'));
    else await rename(staging, directory);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  return {
    directory,
    files: ['config.pbtxt', join(MODEL_VERSION, 'model.onnx'), LABEL_FILE].map((f) => join(directory, f)),
    metadata,
  };
}

/**
 * Puts `replacement` where `directory` is: the old folder is moved aside first (a folder cannot be renamed over a
 * non-empty one), put back if the new one cannot take its place, and removed once it has.
 */
async function replaceDirectory(directory: string, replacement: string, aside: string): Promise<void> {
  await rename(directory, aside);
  try {
    await rename(replacement, directory);
  } catch (error) {
    await rename(aside, directory);
    throw error;
  }
  await rm(aside, { recursive: true, force: true });
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Inputs and outputs as ONNX Runtime sees them (the same that Triton's onnxruntime backend checks the config against). */
async function readIoMetadata(model: CheckedModel, name: string, source: string): Promise<ModelMetadata> {
  const session = await createSession(ort, model);
  try {
    const describe = (m: (typeof session.inputMetadata)[number]): TensorMetadata => {
      const datatype = m.isTensor ? datatypeOfOrt(m.type) : undefined;
      if (!m.isTensor || datatype === undefined)
        throw new RangeError(`${source}: '${m.name}' is not a tensor type Triton's config can name here`);
      return { name: m.name, datatype, shape: m.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1)) };
    };
    const inputs = session.inputMetadata.map(describe);
    const outputs = session.outputMetadata.map(describe);
    if ([...inputs, ...outputs].some((t) => t.shape[0] !== -1 || t.shape.slice(1).some((d) => d < 0))) {
      throw new RangeError(
        `${source}: every input and output needs a variable batch dimension first and fixed others, for max_batch_size`,
      );
    }
    return { name, versions: [MODEL_VERSION], platform: ONNX_PLATFORM, inputs, outputs };
  } finally {
    await session.release();
  }
}
