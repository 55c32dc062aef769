import type { OrtWithTensor } from '../../classifier/index.js';
import type { PreprocessSpec } from '../../preprocess/index.js';
import { BatchIterator } from '../data/batch-iterator.js';
import type { ImageDataset } from '../data/image-dataset.js';
import type { TrainingSession } from '../training-session.js';
import { evalFeeds } from './feeds.js';

/**
 * Loss and accuracy of a model on a labelled set of images (a fine-tuning run's validation split).
 *
 * @example
 * ```ts
 * import type { Evaluation } from 'nin-sdk/web';
 * declare const evaluation: Evaluation;
 * console.log(`${evaluation.correct}/${evaluation.count} (${evaluation.accuracy.toFixed(2)} %)`, evaluation.averageLoss);
 * ```
 */
export interface Evaluation {
  /** Mean cross-entropy per image. */
  readonly averageLoss: number;
  readonly correct: number;
  readonly count: number;
  /** 100 · correct / count. */
  readonly accuracy: number;
}

/** The recipe's test batch (its testloader's batch_size). */
export const TEST_BATCH_SIZE = 100;

/** Loss and top-1 accuracy over a whole dataset, in dataset order, with the eval model (no Dropout, no augmentation). */
export async function evaluate(
  session: TrainingSession,
  ort: OrtWithTensor,
  dataset: ImageDataset,
  spec: PreprocessSpec,
  batchSize = TEST_BATCH_SIZE,
): Promise<Evaluation> {
  const iterator = BatchIterator.create(dataset, { spec, batchSize, shuffle: false });
  let lossSum = 0;
  let correct = 0;
  for (const batch of iterator.epochBatches()) {
    const { loss, logits } = await session.runEvalStep(evalFeeds(ort, batch));
    lossSum += loss * batch.size;
    const classes = logits.length / batch.size;
    for (let i = 0; i < batch.size; i++) {
      let best = 0;
      for (let c = 1; c < classes; c++) if (logits[i * classes + c]! > logits[i * classes + best]!) best = c;
      if (best === batch.labels[i]) correct += 1;
    }
  }
  return {
    averageLoss: lossSum / dataset.count,
    correct,
    count: dataset.count,
    accuracy: (100 * correct) / dataset.count,
  };
}
