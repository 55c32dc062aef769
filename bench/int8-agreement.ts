/**
 * The int8 model against the float32 one on a labelled dataset: both accuracies and how often their top-1 agree,
 * image by image (each image decoded and preprocessed once, then run through both). This is the measurement behind
 * the choice of int8 as the CPU/wasm default (docs/int8.md): agreement ≥ 99 % and accuracy within 0.3 point.
 *
 *   node dist/bench/int8-agreement.js ../shared/data/cifar10/test.tar [--threads N] [--limit N]
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { loadClassifier, type NodeClassifier } from '../src/node/classify.js';
import { intraOpThreads } from '../src/io/cpu-cores.js';
import { readLabeledImages, type LabeledImage } from '../src/datasets/node/dataset.js';
import { defaultModelPath } from '../src/node/default-model.js';
import { preprocessImage } from '../src/preprocess/node/index.js';

export interface AgreementResult {
  readonly dataset: string;
  readonly images: number;
  readonly fp32Correct: number;
  readonly int8Correct: number;
  /** Images on which both models give the same top-1 class. */
  readonly agreeing: number;
  readonly threads: number;
  readonly seconds: number;
}

const BATCH = 100;

export async function measureInt8Agreement(
  dataset: string,
  threads: number,
  limit = Infinity,
): Promise<AgreementResult> {
  const fp32 = await loadClassifier(defaultModelPath('fp32'), { threads });
  const int8 = await loadClassifier(defaultModelPath('int8'), { threads });
  const started = performance.now();
  let images = 0;
  let fp32Correct = 0;
  let int8Correct = 0;
  let agreeing = 0;
  const evaluate = async (batch: readonly LabeledImage[]): Promise<void> => {
    const tensors = await Promise.all(
      batch.map(async (image) => (await preprocessImage(image.bytes, fp32.info.preprocessing)).tensor),
    );
    const a = topClasses(fp32, await fp32.probabilities(tensors));
    const b = topClasses(int8, await int8.probabilities(tensors));
    batch.forEach((image, i) => {
      const truth = fp32.labels.indexOf(image.className);
      if (a[i] === truth) fp32Correct++;
      if (b[i] === truth) int8Correct++;
      if (a[i] === b[i]) agreeing++;
    });
    images += batch.length;
  };
  try {
    let batch: LabeledImage[] = [];
    for await (const image of readLabeledImages(dataset)) {
      if (images + batch.length >= limit) break;
      batch.push(image);
      if (batch.length === BATCH) {
        await evaluate(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await evaluate(batch);
  } finally {
    await fp32.dispose();
    await int8.dispose();
  }
  return {
    dataset,
    images,
    fp32Correct,
    int8Correct,
    agreeing,
    threads,
    seconds: (performance.now() - started) / 1000,
  };
}

function topClasses(classifier: NodeClassifier, probabilities: Float32Array): number[] {
  const classes = classifier.labels.length;
  const tops: number[] = [];
  for (let start = 0; start < probabilities.length; start += classes) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probabilities[start + c]! > probabilities[start + best]!) best = c;
    tops.push(best);
  }
  return tops;
}

export function describeAgreement(r: AgreementResult): string {
  const percent = (n: number) => ((100 * n) / r.images).toFixed(2);
  return (
    `${r.images} images of ${r.dataset}: fp32 top-1 ${percent(r.fp32Correct)} %, int8 top-1 ${percent(r.int8Correct)} % ` +
    `(${(((r.int8Correct - r.fp32Correct) * 100) / r.images).toFixed(2)} points), top-1 agreement ${percent(r.agreeing)} % ` +
    `(${r.images - r.agreeing} images differ); ${r.threads} threads, ${r.seconds.toFixed(0)} s`
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { threads: { type: 'string' }, limit: { type: 'string' } },
  });
  const dataset = positionals[0] ?? '../shared/data/cifar10/test.tar';
  const result = await measureInt8Agreement(
    dataset,
    intraOpThreads(values.threads === undefined ? undefined : Number(values.threads)),
    values.limit === undefined ? Infinity : Number(values.limit),
  );
  console.log(describeAgreement(result));
  console.log(JSON.stringify(result));
}
