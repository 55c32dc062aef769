import {
  predictionsDocument,
  type ImageOutcome,
  type PredictionsDocument,
  rankClasses,
  softmaxRow,
  checkMapsAverageToLogits,
  classMapsJson,
  type ClassMaps,
} from '../classifier/index.js';
import { describePixels, readImageSize } from '../preprocess/node/index.js';
import { HttpError } from './http-error.js';
import type { FilePart } from './multipart.js';
import type { PixelBudget } from './pixel-budget.js';
import type { PreprocessPool } from './preprocess-pool.js';
import type { ServedModel } from './served-model.js';

/** How many pixels the image route decodes (`serve --max-pixels`, `--max-request-pixels`). */
export interface PixelLimits {
  /** Largest image, width × height as its header states them. */
  readonly maxPixels: number;
  /** All the images of one request together: what one request may make the server hold decoded at once. */
  readonly maxRequestPixels: number;
}

/** Where the image route's images are decoded: the server's, shared by all its requests. */
export interface ImageDecoding {
  /** The pixels being decoded at once, all requests together (capacity: maxRequestPixels). */
  readonly budget: PixelBudget;
  /** The worker threads that decode and preprocess, off the thread that answers requests. */
  readonly pool: PreprocessPool;
}

/**
 * The convenience route's work: encoded images → the document `nin-sdk predict --json` prints. Decoding and
 * preprocessing follow the model's own spec (src/preprocess), the scores go through the same batcher as
 * `infer`, and ranking is the SDK's topK. The sizes the images' headers state are checked against the limits
 * before any is decoded (413 past them), and each image waits for its pixels in the server's budget before it is
 * decoded; an image that cannot be decoded (SVG or another format that is not accepted included) gets its own error
 * entry; a busy or failing server fails the whole request.
 */
export async function classifyImages(
  model: ServedModel,
  images: readonly FilePart[],
  top: number,
  limits: PixelLimits,
  decoding: ImageDecoding,
  /** Answer each image's class maps too (`?maps=1`): refused (400) for a model that has none. */
  withMaps = false,
): Promise<PredictionsDocument> {
  const info = model.info;
  const scores = model.scoresOutput;
  if (info === undefined || scores === undefined || model.input.datatype !== 'FP32') {
    const why = model.metadataProblem === undefined ? '' : ` (${model.metadataProblem})`;
    throw new HttpError(
      400,
      `model '${model.name}' has no usable nin-sdk labels and preprocessing${why}: use its infer endpoint`,
    );
  }
  const classMaps = info.classMaps;
  if (withMaps && classMaps === undefined) {
    throw new HttpError(
      400,
      `model '${model.name}' has no class maps: its logits are not the global average of a last convolutional map`,
    );
  }
  const sizes = checkPixelLimits(images, limits);
  const { maxPixels } = limits;
  const classes = info.labels.length;
  const outcomes = await Promise.all(
    images.map(async ({ name, bytes }, i): Promise<ImageOutcome> => {
      let tensor: Float32Array;
      try {
        const encoded = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        const options = { maxPixels, limitName: '--max-pixels', name: `image '${name}'` };
        tensor = await decoding.budget.with(sizes[i]!, () =>
          decoding.pool.preprocess(encoded, info.preprocessing, options),
        );
      } catch (error) {
        return { file: name, error: error instanceof Error ? error.message : String(error) };
      }
      const outputs = await model.batcher.submit(
        1,
        new Uint8Array(tensor.buffer, tensor.byteOffset, tensor.byteLength),
      );
      const row = outputs.get(scores.name)!.data;
      if (row.length !== classes) throw new Error(`internal: ${row.length} scores for ${classes} labels`);
      const probabilities = scores.isProbability ? row : softmaxRow(row);
      const predictions = rankClasses(probabilities, info.labels, top);
      if (!withMaps || classMaps === undefined) return { file: name, predictions };
      const maps: ClassMaps = {
        labels: info.labels,
        height: classMaps.size[0],
        width: classMaps.size[1],
        data: Float32Array.from(outputs.get(classMaps.value)!.data as ArrayLike<number>),
        logits: Float32Array.from(outputs.get(info.outputs.logits)!.data as ArrayLike<number>),
        geometry: classMaps.geometry,
        inputSize: info.preprocessing.inputSize,
      };
      checkMapsAverageToLogits(maps, model.name);
      return { file: name, predictions, classMaps: classMapsJson(maps) };
    }),
  );
  if (outcomes.every((o) => o.error !== undefined)) throw new HttpError(400, outcomes[0]!.error!);
  return predictionsDocument(
    { model: model.name, family: info.family, provider: model.provider, fallbacks: model.fallbacks },
    outcomes,
  );
}

/**
 * Refuses the request (413) when an image's header states more than maxPixels, or all of them together more than
 * maxRequestPixels: images are decoded at once, so the total bounds what one request holds in memory. An image
 * whose header cannot be read, or that is in no accepted format, counts nothing here: decoding refuses it before any
 * decoder starts. Returns each image's pixels.
 */
function checkPixelLimits(images: readonly FilePart[], limits: PixelLimits): number[] {
  let total = 0;
  const sizes: number[] = [];
  for (const { name, bytes } of images) {
    const size = readImageSize(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    sizes.push(size === undefined ? 0 : size.width * size.height);
    if (size === undefined) continue;
    const pixels = size.width * size.height;
    if (pixels > limits.maxPixels) {
      throw new HttpError(
        413,
        `image '${name}' is ${size.width}×${size.height} (${describePixels(pixels)}), over this server's limit of ${describePixels(limits.maxPixels)} per image (--max-pixels)`,
      );
    }
    total += pixels;
  }
  if (total > limits.maxRequestPixels) {
    throw new HttpError(
      413,
      `the request's ${images.length} images have ${describePixels(total)} in all, over this server's limit of ${describePixels(limits.maxRequestPixels)} per request (--max-request-pixels)`,
    );
  }
  return sizes;
}
