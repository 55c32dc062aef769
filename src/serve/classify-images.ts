import { predictionsDocument, type ImageOutcome, type PredictionsDocument } from '../classifier/predictions-json.js';
import { softmaxRow, topK } from '../classifier/predictions.js';
import { preprocessImage } from '../preprocess/node/index.js';
import { HttpError } from './http-error.js';
import type { FilePart } from './multipart.js';
import type { ServedModel } from './served-model.js';

/**
 * The convenience route's work: encoded images → the document `nin-sdk predict --json` prints. Decoding and
 * preprocessing follow the model's own spec (src/preprocess), the scores go through the same batcher as
 * `infer`, and ranking is the SDK's topK. An image that cannot be decoded gets its own error entry; a busy or
 * failing server fails the whole request.
 */
export async function classifyImages(
  model: ServedModel,
  images: readonly FilePart[],
  top: number,
  maxPixels: number,
): Promise<PredictionsDocument> {
  const info = model.info;
  const scores = model.scoresOutput;
  if (info === undefined || scores === undefined || model.input.datatype !== 'FP32') {
    throw new HttpError(400, `model '${model.name}' has no nin-sdk labels and preprocessing: use its infer endpoint`);
  }
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
