import { parseArgs } from 'node:util';

/** The bench's parts, in the order they run: what each compares is in BENCH_HELP. */
export const BENCH_PARTS = ['converter', 'sdk', 'training', 'int8', 'serve'] as const;
export type BenchPart = (typeof BENCH_PARTS)[number];

export interface BenchOptions {
  /** The parts to run, in BENCH_PARTS order. */
  readonly parts: readonly BenchPart[];
  readonly repetitions: number;
  readonly secondsPerCase: number;
  /** CIFAR-10 test JPEGs for the SDK's end-to-end comparison, the same number from each class. */
  readonly images: number;
  /** Images per training step in the training part (the recipe's 128). */
  readonly trainingBatch: number;
}

export const BENCH_HELP = `Usage: npm run bench -- [--only PART] [--repetitions N] [--seconds-per-case S] [--images N]
                       [--training-batch N]

  --only PART           run one part (default: all, in this order):
                          converter  nin-convert vs torch.load + torch.onnx.export, ONNX Runtime throughput of both
                                     files
                          sdk        nin-sdk vs PyTorch: model throughput, predict end to end, cold start
                          training   TrainingSession vs torch.optim.SGD: training images/s
                          int8       the embedded model int8 vs fp32: onnxruntime-node at batch 1 and 32, wasm in
                                     Chromium
                          serve      nin-sdk serve on loopback, 1/8/64 clients, vs the in-process ceiling
  --repetitions N       runs of each process, each side: conversions per checkpoint, predict end to end and cold
                        start (default 5; the median is reported)
  --seconds-per-case S  model-throughput timing budget per model pair and batch, both sides together (default 30)
  --images N            CIFAR-10 test JPEGs for predict end to end, N/10 of each class (default 1000)
  --training-batch N    images per training step in the training part (default 128, the recipe's)`;

export function parseBenchOptions(argv: readonly string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      only: { type: 'string' },
      repetitions: { type: 'string', default: '5' },
      'seconds-per-case': { type: 'string', default: '30' },
      images: { type: 'string', default: '1000' },
      'training-batch': { type: 'string', default: '128' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const images = positiveNumber('images', values.images, true);
  if (images % 10 !== 0 || images > 10_000)
    throw new RangeError(
      `--images must be a multiple of 10 up to 10000 (the same count from each class), got ${images}`,
    );
  return {
    parts: values.only === undefined ? BENCH_PARTS : [benchPart(values.only)],
    repetitions: positiveNumber('repetitions', values.repetitions, true),
    secondsPerCase: positiveNumber('seconds-per-case', values['seconds-per-case'], false),
    images,
    trainingBatch: positiveNumber('training-batch', values['training-batch'], true),
  };
}

function benchPart(text: string): BenchPart {
  const part = BENCH_PARTS.find((p) => p === text);
  if (part === undefined) throw new RangeError(`--only must be one of ${BENCH_PARTS.join(', ')}, got ${text}`);
  return part;
}

function positiveNumber(name: string, text: string, integer: boolean): number {
  const value = Number(text);
  if (!(value > 0) || (integer && !Number.isInteger(value)))
    throw new RangeError(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got ${text}`);
  return value;
}
