import { parseArgs } from 'node:util';
import { DEFAULT_CALIBRATION_IMAGES, quantizeModel, type QuantizedModel } from '../../quantize/node/index.js';
import { writeFileAtomic, readRegularFile } from '../../io/index.js';
import { integerOption, parseCommandLine } from '../args.js';
import { UsageError } from '../errors.js';
import { ProgressBar } from '../progress.js';

export const QUANTIZE_HELP = `Usage: nin-sdk quantize <in.onnx> <out.onnx> --calibrate <folder or tar> [options]

Quantizes a float32 model written by nin-convert to static int8 (QDQ form, standard ONNX ops): uint8
activations per tensor, int8 weights per output channel, int32 biases; the final global pool stays float32.
Activation ranges are the min/max over a random sample of the calibration dataset (use the training split:
test sets are often stored class by class). ONNX Runtime runs the result 2-3x faster on x86 CPUs.

Options:
  --calibrate <dataset>    a folder or tar of <class>/<image> files (required)
  --images <n>             calibration images, sampled uniformly (default ${DEFAULT_CALIBRATION_IMAGES})
  --seed <n>               seed of the sample (default 0)
  --threads <n>            ONNX Runtime intra-op threads (default: one per physical core)
  -q, --quiet              print nothing on success
  -h, --help               show this help

The output is written whole or not at all.`;

export const CALIBRATE_REQUIRED = '--calibrate is required: a folder or tar of <class>/<image> images to calibrate on';
export const MAX_CALIBRATION_IMAGES = 100_000;

export async function runQuantize(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(() =>
    parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        calibrate: { type: 'string' },
        images: { type: 'string' },
        seed: { type: 'string' },
        threads: { type: 'string' },
        quiet: { type: 'boolean', short: 'q', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }),
  );
  if (values.help) {
    console.log(QUANTIZE_HELP);
    return 0;
  }
  if (positionals.length !== 2) {
    throw new UsageError(
      `quantize needs an input model and an output path, got ${positionals.length} argument${positionals.length === 1 ? '' : 's'}`,
    );
  }
  if (values.calibrate === undefined) throw new UsageError(CALIBRATE_REQUIRED);
  const [input, output] = positionals as [string, string];
  const images = integerOption('images', values.images, DEFAULT_CALIBRATION_IMAGES, 1, MAX_CALIBRATION_IMAGES);
  const seed = integerOption('seed', values.seed, 0, 0, 2 ** 32 - 1);
  const threads = values.threads === undefined ? undefined : integerOption('threads', values.threads, 1, 1, 1024);

  const started = performance.now();
  const bytes = await readRegularFile(input);
  const result = await quantizeWithProgress(bytes, input, values.calibrate, images, seed, threads);
  await writeFileAtomic(output, result.onnx);
  if (!values.quiet)
    console.log(describeQuantized(input, output, bytes.byteLength, result, performance.now() - started));
  return 0;
}

/** Quantizes with a progress bar over the calibration images; shared with nin-convert --int8. */
export async function quantizeWithProgress(
  bytes: Uint8Array,
  source: string,
  dataset: string,
  images: number,
  seed: number,
  threads: number | undefined,
): Promise<QuantizedModel> {
  const progress = new ProgressBar(images, 'calibrate');
  try {
    return await quantizeModel(bytes, source, {
      dataset,
      images,
      seed,
      threads,
      onProgress: (done) => progress.update(done),
    });
  } finally {
    progress.finish();
  }
}

export function describeQuantized(
  input: string,
  output: string,
  inputBytes: number,
  result: QuantizedModel,
  ms: number,
): string {
  const c = result.calibration;
  return (
    `${input} (${formatMegabytes(inputBytes)}) → ${output} (${formatMegabytes(result.onnx.byteLength)}, int8 QDQ: ` +
    `${result.quantizedConvs} Convs, ${result.quantizedActivations} activations; min/max over ${c.images} images of ${c.dataset}) ` +
    `in ${(ms / 1000).toFixed(1)} s`
  );
}

function formatMegabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(2)} MB`;
}
