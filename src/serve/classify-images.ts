import { predictionsDocument, type ImageOutcome, type PredictionsDocument } from '../classifier/predictions-json.js';
import { softmaxRow, topK } from '../classifier/predictions.js';
import { describePixels, preprocessImage, readImageSize } from '../preprocess/node/index.js';
import { HttpError } from './http-error.js';
import type { FilePart } from './multipart.js';
import type { ServedModel } from './served-model.js';

/** How many pixels the image route decodes (`serve --max-pixels`, `--max-request-pixels`). */
export interface PixelLimits {
  /** Largest image, width × height as its header states them. */
  readonly maxPixels: number;
  /** All the images of one request together: what one request may make the server hold decoded at once. */
  readonly maxRequestPixels: number;
}

/**
 * The convenience route's work: encoded images → the document `nin-sdk predict --json` prints. Decoding and
 * preprocessing follow the model's own spec (src/preprocess), the scores go through the same batcher as
 * `infer`, and ranking is the SDK's topK. The sizes the images' headers state are checked against the limits
 * before any is decoded (413 past them); an image that cannot be decoded gets its own error entry; a busy or
 * failing server fails the whole request.
 */
export async function classifyImages(
  model: ServedModel,
  images: readonly FilePart[],
  top: number,
  limits: PixelLimits,
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
  await checkPixelLimits(images, limits);
  const { maxPixels } = limits;
  const classes = info.labels.length;
  const outcomes = await Promise.all(
    images.map(async ({ name, bytes }): Promise<ImageOutcome> => {
      let tensor: Float32Array;
      try {
        tensor = (
          await preprocessImage(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), info.preprocessing, {
            maxPixels,
          })
        ).tensor;
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
      return { file: name, predictions: topK(probabilities, info.labels, top, model.provider) };
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
 * whose header cannot be read counts nothing here: decoding it fails before any pixel is held.
 */
async function checkPixelLimits(images: readonly FilePart[], limits: PixelLimits): Promise<void> {
  let total = 0;
  for (const { name, bytes } of images) {
    const size = await readImageSize(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
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
}
