import { parseArgs } from 'node:util';
import { loadClassifier } from '../../node/index.js';
import { intraOpThreads } from '../../io/index.js';
import { countLabeledImages, readLabeledImages, type LabeledImage } from '../../datasets/node/index.js';
import { labelIndexByFolder } from '../../train/internal.js';
import { DEFAULT_MAX_PIXELS, preprocessImage } from '../../preprocess/node/index.js';
import { MODEL_DTYPES } from '../../model/index.js';
import { choiceOption, integerOption, parseCommandLine, providerOption } from '../args.js';
import { UsageError } from '../errors.js';
import { stderrIsTerminal } from '../native-stderr.js';
import { ProgressBar } from '../progress.js';

export const EVAL_HELP = `Usage: nin-sdk eval <dataset> [options]

Measures a model's accuracy on a labelled dataset: a folder or a tar archive of <class>/<image> files
(torchvision's ImageFolder layout; ../shared/data/cifar10/test.tar works as it is). Class folder names must be
the model's labels, a '/' written '_' (T-shirt/top in T-shirt_top/). Prints pytorch-nin-cifar10's line:
  Test set: Average loss: 0.4321, Accuracy: 8765/10000 (87.65%)
then the throughput.

Options:
  --model <file.onnx>      a model written by nin-convert (default: the embedded CIFAR-10 NIN)
  --provider <list>        cpu, cuda or webgpu, or an ordered list (default cpu)
  --strict                 fail if the first provider cannot start
  --batch <n>              images per ONNX Runtime run (default 100)
  --threads <n>            ONNX Runtime intra-op threads (default: one per physical core)
  --dtype <fp32|int8>      the embedded model's precision (default: int8 on cpu, fp32 on cuda and webgpu;
                           see docs/int8.md); with --model, the model must be of this precision
  --limit <n>              evaluate only the first n images
  --max-pixels <n>         largest image decoded, width × height (default 100000000), checked on the
                           image's header before decoding
  -h, --help               show this help`;

export async function runEval(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(() =>
    parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        model: { type: 'string' },
        provider: { type: 'string' },
        strict: { type: 'boolean', default: false },
        batch: { type: 'string' },
        threads: { type: 'string' },
        dtype: { type: 'string' },
        limit: { type: 'string' },
        'max-pixels': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }),
  );
  if (values.help) {
    console.log(EVAL_HELP);
    return 0;
  }
  const batchSize = integerOption('batch', values.batch, 100, 1, 4096);
  const threads = integerOption('threads', values.threads, intraOpThreads(), 1, 1024);
  const dtype = choiceOption('dtype', values.dtype, MODEL_DTYPES);
  const limit = integerOption('limit', values.limit, Number.MAX_SAFE_INTEGER, 1, Number.MAX_SAFE_INTEGER);
  const providers = providerOption(values.provider);
  const maxPixels = integerOption('max-pixels', values['max-pixels'], DEFAULT_MAX_PIXELS, 1, Number.MAX_SAFE_INTEGER);
  if (positionals.length !== 1) throw new UsageError(`eval needs exactly one dataset, got ${positionals.length}`);
  const dataset = positionals[0]!;

  const classifier = await loadClassifier(values.model, { provider: providers, strict: values.strict, threads, dtype });
  const labels = classifier.labels;
  // Each label's images are in its folder (`T-shirt/top` in T-shirt_top/).
  const labelOf = labelIndexByFolder(labels);
  const started = performance.now();
  let count = 0;
  let correct = 0;
  let lossSum = 0;
  // The bar's total is the dataset's real size, counted only when there is a terminal to draw it on.
  const total = stderrIsTerminal() ? Math.min(limit, await countLabeledImages(dataset)) : 0;
  const progress = new ProgressBar(total, 'eval', { minimum: 1 });
  const spec = classifier.info.preprocessing;

  const evaluate = async (batch: readonly LabeledImage[]): Promise<void> => {
    const tensors = await Promise.all(
      batch.map(
        async (image) =>
          (await preprocessImage(image.bytes, spec, { maxPixels, limitName: '--max-pixels', name: image.name })).tensor,
      ),
    );
    const probabilities = await classifier.probabilities(tensors);
    batch.forEach((image, i) => {
      const row = probabilities.subarray(i * labels.length, (i + 1) * labels.length);
      const truth = labelOf.get(image.className)!;
      let best = 0;
      for (let c = 1; c < row.length; c++) if (row[c]! > row[best]!) best = c;
      if (best === truth) correct++;
      // Cross-entropy of the true class, clamped as PyTorch's log_softmax never returns -inf for finite logits.
      lossSum += -Math.log(Math.max(row[truth]!, 1e-45));
    });
    count += batch.length;
    progress.update(count);
  };

  try {
    let batch: LabeledImage[] = [];
    for await (const image of readLabeledImages(dataset)) {
      if (count + batch.length >= limit) break;
      if (!labelOf.has(image.className)) {
        const folders = [...labelOf.keys()];
        throw new UsageError(
          `${image.name}: class folder '${image.className}' is not one of the model's labels (${folders.slice(0, 10).join(', ')}${folders.length > 10 ? ', …' : ''})`,
        );
      }
      batch.push(image);
      if (batch.length === batchSize) {
        await evaluate(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await evaluate(batch);
  } finally {
    progress.finish();
    await classifier.dispose();
  }
  if (count === 0) throw new UsageError(`no images found in ${dataset}`);
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `Test set: Average loss: ${(lossSum / count).toFixed(4)}, Accuracy: ${correct}/${count} (${((100 * correct) / count).toFixed(2)}%)`,
  );
  console.log(
    `${count} images in ${seconds.toFixed(1)} s (${(count / seconds).toFixed(0)} images/s) on ${classifier.provider}`,
  );
  return 0;
}
