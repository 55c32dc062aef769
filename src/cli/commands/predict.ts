import { parseArgs } from 'node:util';
import { type Prediction, predictionsDocument } from '../../classifier/index.js';
import { loadClassifier } from '../../node/index.js';
import { connect } from '../../serve/index.js';
import { intraOpThreads } from '../../io/index.js';
import { MODEL_DTYPES } from '../../model/index.js';
import { DEFAULT_MAX_PIXELS } from '../../preprocess/index.js';
import { choiceOption, integerOption, parseCommandLine, providerOption } from '../args.js';
import { describeFailure, UsageError } from '../errors.js';
import { expandImagePaths } from '../image-files.js';
import { ProgressBar } from '../progress.js';
import { readStdinImage, STDIN_OPERAND } from '../stdin-image.js';
import { refuseUrlOperands } from '../url-operands.js';
import { terminalSafe } from '../terminal-text.js';

export const PREDICT_HELP = `Usage: nin-sdk predict <images or folders...> [options]

Classifies images (JPEG, PNG, WebP, GIF, TIFF, BMP, recognised by their bytes; folders are searched recursively)
and prints one line per image: the file, then the top classes with their probabilities. '-' reads one image
from standard input (curl -sL URL | nin-sdk predict -).

Options:
  --model <file.onnx>      a model written by nin-convert (default: the embedded CIFAR-10 NIN); with --server,
                           the model's name on the server (default nin-cifar10)
  --server <url>           classify on an Open Inference Protocol server (nin-sdk serve, Triton, KServe):
                           images are preprocessed here and sent as binary tensors
  --top <n>                classes per image (default 3)
  --provider <list>        cpu, cuda or webgpu, or an ordered list like cuda,cpu (default cpu)
  --strict                 fail if the first provider cannot start instead of falling back
  --batch <n>              images per ONNX Runtime run (default 32)
  --threads <n>            ONNX Runtime intra-op threads (default: one per physical core; one for at
                           most 8 images)
  --dtype <fp32|int8>      the embedded model's precision (default: int8 on cpu, fp32 on cuda and webgpu;
                           see docs/int8.md); with --model, the model must be of this precision
  --max-pixels <n>         largest image decoded, width × height (default 100000000), checked on the
                           image's header before decoding
  --json                   print one JSON document instead of lines
  -h, --help               show this help

A file that cannot be read or decoded gets its own error line on stderr; the others go on, and the exit code
is 1 at the end if any failed.`;

/** Below this many images a session that builds fast beats one that runs fast (see LoadClassifierOptions.optimize). */
const QUICK_START_MAX_IMAGES = 64;

/**
 * Up to this many images, one intra-op thread unless --threads says otherwise: the whole run is short on one core
 * with the int8 model, and a second thread barely shortens it, while
 * starting its pool and sharing the cores with it cost more as soon as anything else runs (docs/startup.md).
 */
const ONE_THREAD_MAX_IMAGES = 8;

interface FileResult {
  readonly file: string;
  readonly predictions?: readonly Prediction[];
  readonly error?: string;
}

export async function runPredict(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(() =>
    parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        model: { type: 'string' },
        server: { type: 'string' },
        top: { type: 'string' },
        provider: { type: 'string' },
        strict: { type: 'boolean', default: false },
        batch: { type: 'string' },
        threads: { type: 'string' },
        dtype: { type: 'string' },
        'max-pixels': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }),
  );
  if (values.help) {
    console.log(PREDICT_HELP);
    return 0;
  }
  // Options first: in `--top cat.jpg` the image was taken as --top's value, and that is what to say.
  const top = integerOption('top', values.top, 3, 1, 1000);
  const batchSize = integerOption('batch', values.batch, 32, 1, 4096);
  const threadsAsked = values.threads === undefined ? undefined : integerOption('threads', values.threads, 1, 1, 1024);
  const dtype = choiceOption('dtype', values.dtype, MODEL_DTYPES);
  const providers = providerOption(values.provider);
  const decoding = {
    maxPixels: integerOption('max-pixels', values['max-pixels'], DEFAULT_MAX_PIXELS, 1, Number.MAX_SAFE_INTEGER),
    maxPixelsName: '--max-pixels',
  };
  if (values.server !== undefined) {
    // The server's model, precision and providers compute the scores: a local choice would be silently ignored.
    const given = {
      dtype: values.dtype,
      provider: values.provider,
      strict: values.strict || undefined,
      threads: values.threads,
    };
    const local = Object.keys(given).filter((name) => given[name as keyof typeof given] !== undefined);
    if (local.length > 0) {
      throw new UsageError(
        `--${local.join(', --')} ${local.length === 1 ? 'applies' : 'apply'} to local models, not with --server`,
      );
    }
  }
  if (positionals.length === 0) throw new UsageError('predict needs at least one image or folder');
  refuseUrlOperands(positionals, 'image');
  if (values.server === undefined) refuseUrlOperands([values.model], 'model');
  if (positionals.filter((path) => path === STDIN_OPERAND).length > 1)
    throw new UsageError(`'${STDIN_OPERAND}' (standard input) can be given once`);
  // '-' is standard input even where a folder of that name exists (./- names the folder), as in cat(1).
  const files = (
    await Promise.all(positionals.map((path) => (path === STDIN_OPERAND ? [path] : expandImagePaths([path]))))
  ).flat();
  if (files.length === 0) throw new UsageError(`no images found in ${positionals.join(', ')}`);

  const piped = files.includes(STDIN_OPERAND) ? await readStdinImage() : undefined;
  const imageOf = (file: string): string | Uint8Array => (file === STDIN_OPERAND && piped !== undefined ? piped : file);

  const started = performance.now();
  const optimize = files.length < QUICK_START_MAX_IMAGES ? 'startup' : 'throughput';
  const threads = threadsAsked ?? (files.length <= ONE_THREAD_MAX_IMAGES ? 1 : intraOpThreads());
  const classifier =
    values.server !== undefined
      ? await connect(values.server, { model: values.model, batchSize, ...decoding })
      : await loadClassifier(values.model, {
          provider: providers,
          strict: values.strict,
          batchSize,
          threads,
          optimize,
          dtype,
          ...decoding,
          // Many images on the CPU: the batches run in a worker thread while this one reads and decodes the next,
          // with blocking reads, since it has nothing else to do meanwhile.
          ...(optimize === 'throughput' && providers.every((provider) => provider === 'cpu')
            ? { inWorker: true, blockingReads: true }
            : {}),
        });
  const results: FileResult[] = [];
  const progress = new ProgressBar(files.length, 'predict');
  const classifyChunk = async (chunk: readonly string[]): Promise<FileResult[]> => {
    try {
      const predictions = await classifier.classifyBatch(chunk.map(imageOf), { top });
      return chunk.map((file, i) => ({ file, predictions: predictions[i]!.top }));
    } catch {
      // A failing file is retried alone so that it cannot sink its batch.
      const batch: FileResult[] = [];
      for (const file of chunk) {
        try {
          batch.push({ file, predictions: (await classifier.classify(imageOf(file), { top })).top });
        } catch (error) {
          const message = describeFailure(error, 'predict').line.replace(/^predict: /, '');
          // Image errors name the file already; others (an ONNX Runtime failure) get it added.
          batch.push({ file, error: message.includes(file) ? message : `${file}: ${message}` });
        }
      }
      return batch;
    }
  };
  const chunks: string[][] = [];
  for (let start = 0; start < files.length; start += batchSize) chunks.push(files.slice(start, start + batchSize));
  try {
    // One batch ahead: the next batch is read and decoded while ONNX Runtime runs this one (in its worker thread; on
    // this thread, where its run() blocks, only the file reads and sharp's decoding proceed meanwhile, on libuv's).
    // classifyChunk never rejects, so the batch started ahead cannot become an unhandled rejection.
    let ahead = chunks.length > 0 ? classifyChunk(chunks[0]!) : undefined;
    for (let k = 0; ahead !== undefined; k++) {
      const current = ahead;
      ahead = k + 1 < chunks.length ? classifyChunk(chunks[k + 1]!) : undefined;
      for (const result of await current) {
        results.push(result);
        if (!values.json) printResult(result, progress);
      }
      progress.update(results.length);
    }
  } finally {
    progress.finish();
    await classifier.dispose();
  }

  const failed = results.filter((r) => r.error !== undefined).length;
  const seconds = (performance.now() - started) / 1000;
  const fallback = classifier.fallbacks.map((f) => `${f.provider} failed: ${f.error}`).join('; ');
  if (values.json) {
    console.log(
      JSON.stringify(
        predictionsDocument(
          {
            model: values.model ?? (values.server === undefined ? 'default (nin-cifar10)' : 'nin-cifar10'),
            family: classifier.info.family,
            ...('dtype' in classifier.info ? { dtype: classifier.info.dtype } : {}),
            provider: classifier.provider,
            fallbacks: classifier.fallbacks,
          },
          results,
        ),
        null,
        2,
      ),
    );
  }
  console.error(
    `${results.length - failed} of ${results.length} image${results.length === 1 ? '' : 's'} classified in ${seconds.toFixed(2)} s ` +
      `on ${classifier.provider}${fallback ? ` (${fallback})` : ''}${failed ? `; ${failed} failed` : ''}`,
  );
  return failed > 0 ? 1 : 0;
}

function printResult(result: FileResult, progress: ProgressBar): void {
  progress.finish();
  if (result.error !== undefined) {
    console.error(`nin-sdk predict: ${terminalSafe(result.error)}`);
    return;
  }
  // Labels come from the model's metadata and file names from folders: either may hold terminal escape sequences.
  const classes = result
    .predictions!.map((p) => `${terminalSafe(p.label)} ${(p.probability * 100).toFixed(1)}%`)
    .join('  ');
  console.log(`${terminalSafe(result.file)}  ${classes}`);
}
