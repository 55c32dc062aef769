import * as ort from 'onnxruntime-node';
import { basename, resolve } from 'node:path';
import { readOnnxProto, writeOnnx } from '../../graph/index.js';
import {
  checkModel,
  ModelError,
  readCheckedModelInfo,
  QUANTIZATION_METADATA_KEYS,
  quantizationMetadata,
  type CalibrationRecord,
} from '../../model/index.js';
import { createSession } from '../../runtime/index.js';
import { ImageError, preprocessImage, specChannels, type PreprocessSpec } from '../../preprocess/node/index.js';
import { MinMaxObserver } from '../observer.js';
import { withObservedOutputs } from '../calibration-graph.js';
import { planQuantization } from '../plan.js';
import { quantizeToQdq } from '../qdq.js';
import { classMapsAfterQuantization } from '../class-maps.js';
import { sampleLabeledImages } from './calibration-sample.js';
import type { LabeledImage } from '../../datasets/node/index.js';
import { intraOpThreads } from '../../io/index.js';

/**
 * How `quantizeModel` calibrates: the images it runs the float model on, and how.
 *
 * @example
 * ```ts
 * import type { QuantizeModelOptions } from 'nin-sdk';
 * const options: QuantizeModelOptions = { dataset: 'cifar10/train', images: 500, onProgress: (done, total) => console.log(done, total) };
 * ```
 */
export interface QuantizeModelOptions {
  /** A folder or tar of `<class>/<image>` files to calibrate on (the training split, not the test split). */
  readonly dataset: string;
  /** Calibration images, sampled uniformly from the dataset (default 1000). */
  readonly images?: number;
  /** Seed of the sample (default 0). */
  readonly seed?: number;
  /** ONNX Runtime intra-op threads for the calibration runs (default: one per physical core). */
  readonly threads?: number;
  /** Called after each calibration batch with the images done so far and the sample size. */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * An int8 model made by `quantizeModel`, with what was quantized and how it was calibrated.
 *
 * @example
 * ```ts
 * import { quantizeModel, type QuantizedModel } from 'nin-sdk';
 * import { readFileSync } from 'node:fs';
 * const result: QuantizedModel = await quantizeModel(readFileSync('nin.onnx'), 'nin.onnx', { dataset: 'train/' });
 * console.log(result.quantizedConvs, result.calibration);
 * ```
 */
export interface QuantizedModel {
  readonly onnx: Uint8Array;
  readonly calibration: CalibrationRecord;
  /** How many Convs got int8 weights. */
  readonly quantizedConvs: number;
  /** How many activations were quantized (QuantizeLinear nodes). */
  readonly quantizedActivations: number;
}

export const DEFAULT_CALIBRATION_IMAGES = 1000;
/** The first opset with per-axis DequantizeLinear, which per-channel weights need. */
const MIN_QDQ_OPSET = 13;
const CALIBRATION_BATCH = 50;

/**
 * A float32 nin-sdk model → the same model with static int8 QDQ quantization: runs the float model on a sample of
 * the dataset to find each activation's range (min/max), then rewrites the graph (src/quantize) and writes it with
 * metadata saying it is int8 and how it was calibrated.
 *
 * @param bytes - a float32 model written by nin-convert (or nin-sdk train)
 * @param source - how errors name the model: its path, say
 * @param options - the calibration dataset and sample
 * @returns the int8 model's ONNX bytes and what was quantized
 * @throws ModelError for a model that is not a float32 nin-sdk classifier; ImageError for a calibration image that
 *   cannot be decoded
 * @example
 * ```ts
 * import { quantizeModel } from 'nin-sdk';
 * import { readFileSync, writeFileSync } from 'node:fs';
 * const { onnx } = await quantizeModel(readFileSync('nin.onnx'), 'nin.onnx', { dataset: 'cifar10/train' });
 * writeFileSync('nin-int8.onnx', onnx);
 * ```
 */
export async function quantizeModel(
  bytes: Uint8Array,
  source: string,
  options: QuantizeModelOptions,
): Promise<QuantizedModel> {
  const checked = checkModel(bytes, source);
  const info = readCheckedModelInfo(checked);
  const model = asModelError(source, () => readOnnxProto(checked.proto));
  if (
    model.metadata[QUANTIZATION_METADATA_KEYS.dtype] !== undefined &&
    model.metadata[QUANTIZATION_METADATA_KEYS.dtype] !== 'float32'
  ) {
    throw new ModelError(
      `${source} is already quantized (${QUANTIZATION_METADATA_KEYS.dtype}=${model.metadata[QUANTIZATION_METADATA_KEYS.dtype]})`,
    );
  }
  if (model.opsetVersion < MIN_QDQ_OPSET) {
    throw new ModelError(
      `${source} uses opset ${model.opsetVersion}; int8 per-channel weights need opset ${MIN_QDQ_OPSET} or later`,
    );
  }
  const plan = asModelError(source, () => planQuantization(model.graph));
  if (plan.convs.length === 0) throw new ModelError(`${source} has no Conv with constant weights to quantize`);

  const count = options.images ?? DEFAULT_CALIBRATION_IMAGES;
  const seed = options.seed ?? 0;
  const sample = await sampleLabeledImages(options.dataset, count, seed);
  if (sample.size === 0) throw new ModelError(`no images found in ${options.dataset} to calibrate on`);

  const observer = new MinMaxObserver(plan.calibrated);
  const calibrationModel = writeOnnx(withObservedOutputs(model.graph, plan.calibrated), {
    opsetVersion: model.opsetVersion,
  });
  const session = await createSession(ort, checkModel(calibrationModel, source), {
    intraOpNumThreads: intraOpThreads(options.threads),
  });
  const size = info.preprocessing.inputSize;
  const channels = specChannels(info.preprocessing);
  let done = 0;
  // Min/max do not depend on the order of the images, so they are taken in dataset order, a batch at a time.
  const calibrateBatch = async (chunk: readonly LabeledImage[]): Promise<void> => {
    const tensors = await Promise.all(
      chunk.map((image) => preprocessCalibrationImage(image, options.dataset, info.preprocessing)),
    );
    const batch = new Float32Array(chunk.length * channels * size * size);
    tensors.forEach((t, i) => batch.set(t, i * t.length));
    const outputs = await session.run({
      [session.inputNames[0]!]: new ort.Tensor('float32', batch, [chunk.length, channels, size, size]),
    });
    for (const name of plan.calibrated) {
      observer.observe(name, session.inputNames.includes(name) ? batch : (outputs[name]!.data as Float32Array));
    }
    done += chunk.length;
    options.onProgress?.(done, sample.size);
  };
  try {
    let chunk: LabeledImage[] = [];
    for await (const image of sample.images) {
      chunk.push(image);
      if (chunk.length === CALIBRATION_BATCH) {
        await calibrateBatch(chunk);
        chunk = [];
      }
    }
    if (chunk.length > 0) await calibrateBatch(chunk);
  } finally {
    await session.release();
  }

  const calibration: CalibrationRecord = {
    method: 'minmax',
    dataset: basename(resolve(options.dataset)),
    images: done,
    seed,
    activations: 'uint8 per-tensor asymmetric',
    weights: 'int8 per-channel symmetric',
    format: 'QDQ',
  };
  const quantized = asModelError(source, () =>
    classMapsAfterQuantization(quantizeToQdq(model.graph, observer.result(), plan).graph, model.metadata),
  );
  const onnx = asModelError(source, () =>
    writeOnnx(quantized.graph, {
      opsetVersion: model.opsetVersion,
      irVersion: model.irVersion,
      producerName: model.producerName,
      producerVersion: model.producerVersion,
      docString: model.docString,
      metadata: { ...quantized.metadata, ...quantizationMetadata(calibration) },
    }),
  );
  return {
    onnx,
    calibration,
    quantizedConvs: plan.convs.length,
    quantizedActivations: quantized.graph.nodes.filter((n) => n.opType === 'QuantizeLinear').length,
  };
}

/** What the IR's reader and the pass say about a model, as a ModelError (one line for the CLI) naming the file. */
function asModelError<T>(source: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof ModelError) throw error;
    throw new ModelError(`${source}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** A calibration image's input tensor; a bad image is named by its place in the dataset. */
async function preprocessCalibrationImage(
  image: LabeledImage,
  dataset: string,
  spec: PreprocessSpec,
): Promise<Float32Array> {
  try {
    return (await preprocessImage(image.bytes, spec)).tensor;
  } catch (error) {
    if (!(error instanceof ImageError)) throw error;
    throw new ImageError(`${dataset}: ${image.name}: ${error.message}`, { cause: error });
  }
}
