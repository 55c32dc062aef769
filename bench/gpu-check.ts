/**
 * `node dist/bench/gpu-check.js` (run by bench/gpu-check.sh, which first tries to install onnxruntime-node's CUDA
 * binaries): the default model, fp32 and int8 when models/ has an int8 file, on `cuda` and `webgpu` against `cpu`
 * in onnxruntime-node. Per model and provider: whether the provider started (and if not, why and what it needs),
 * the largest |output − cpu output| and top-1 agreement with cpu on the same seeded batches, and images/s at
 * batch 1, 32 and 256. Prints one table; never fails on a missing provider, only says so.
 *
 * Options: --seconds <s> per case (default 3), --batches 1,32,256, --providers cpu,cuda,webgpu, --threads <n> (cpu
 * intra-op threads, default one per physical core), --models a.onnx,b.onnx (default: models/*.onnx).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { checkModel } from '../src/model/checked-model.js';
import { readModelInfo } from '../src/model/model-info.js';
import { createSession } from '../src/runtime/open-session.js';
import { intraOpThreads } from '../src/io/cpu-cores.js';
import { PROVIDERS, requirementOf, type Provider } from '../src/runtime/providers.js';
import { PROJECT_ROOT } from './paths.js';
import { seededBatch } from './seeded-input.js';
import { median } from './stats.js';
import { formatTable } from './text-table.js';

const WARM_UP_RUNS = 3;
const MINIMUM_RUNS = 5;

interface CheckOptions {
  readonly seconds: number;
  readonly batches: readonly number[];
  readonly providers: readonly Provider[];
  readonly threads: number;
  readonly models: readonly string[];
}

interface ProviderResult {
  readonly model: string;
  readonly provider: Provider;
  /** Why the session did not start; undefined when it ran. */
  readonly unavailable?: string;
  /** Images per second by batch size (median run time); a batch that failed to run has its error instead. */
  readonly imagesPerSecond: ReadonlyMap<number, number | string>;
  /** Largest |output − cpu's| over every output of every batch (0 for cpu itself). */
  readonly maxAbsDifference: number;
  /** Images whose top-1 class equals cpu's, and images compared. */
  readonly top1Agreement: { readonly same: number; readonly images: number };
}

type Outputs = Readonly<Record<string, Float32Array>>;

async function main(options: CheckOptions): Promise<void> {
  console.log(
    `onnxruntime-node ${ort.env.versions.node ?? 'unknown'}, node ${process.version}; cpu: ${options.threads} intra-op threads`,
  );
  const results: ProviderResult[] = [];
  for (const modelPath of options.models) {
    const bytes = readFileSync(modelPath);
    const side = readModelInfo(bytes, modelPath).preprocessing.inputSize;
    const inputs = new Map(
      options.batches.map((batch) => [batch, seededBatch(batch * 3 * side * side, 1000 + batch, -2, 2)]),
    );
    const reference = new Map<number, Outputs>();
    // cpu first: the others are compared with its outputs.
    for (const provider of ['cpu' as const, ...options.providers.filter((p) => p !== 'cpu')]) {
      const result = await checkProvider(modelPath, bytes, provider, side, inputs, reference, options);
      if (provider === 'cpu' && !options.providers.includes('cpu')) continue;
      results.push(result);
      process.stderr.write(
        `[gpu-check] ${shortName(modelPath)} on ${provider}: ${result.unavailable === undefined ? 'done' : 'unavailable'}\n`,
      );
    }
  }
  console.log(`\n${table(results, options)}\n`);
  const missing = results.filter((r) => r.unavailable !== undefined);
  for (const r of missing)
    console.log(
      `${r.provider} unavailable for ${shortName(r.model)}: ${r.unavailable}\n  needs ${requirementOf(r.provider, 'node')}`,
    );
  if (missing.length === 0) console.log('every provider asked for ran.');
}

async function checkProvider(
  modelPath: string,
  bytes: Uint8Array,
  provider: Provider,
  side: number,
  inputs: ReadonlyMap<number, Float32Array>,
  reference: Map<number, Outputs>,
  options: CheckOptions,
): Promise<ProviderResult> {
  const imagesPerSecond = new Map<number, number | string>();
  let maxAbsDifference = 0;
  const agreement = { same: 0, images: 0 };
  let session: ort.InferenceSession;
  try {
    // The provider alone: ONNX Runtime would otherwise fall back silently and the figures would be cpu's.
    session = await createSession(ort, checkModel(bytes, 'the model'), {
      executionProviders: [PROVIDERS[provider].ortName],
      ...(provider === 'cpu' ? { intraOpNumThreads: options.threads } : {}),
    });
  } catch (error) {
    return {
      model: modelPath,
      provider,
      unavailable: firstLine(error),
      imagesPerSecond,
      maxAbsDifference: NaN,
      top1Agreement: agreement,
    };
  }
  try {
    const inputName = session.inputNames[0]!;
    for (const [batch, data] of inputs) {
      const feeds = { [inputName]: new ort.Tensor('float32', data, [batch, 3, side, side]) };
      try {
        const outputs = toArrays(await session.run(feeds));
        if (provider === 'cpu') reference.set(batch, outputs);
        const expected = reference.get(batch);
        if (expected !== undefined) {
          maxAbsDifference = Math.max(maxAbsDifference, largestDifference(outputs, expected));
          countTop1(outputs, expected, batch, agreement);
        }
        imagesPerSecond.set(batch, batch / (await medianRunSeconds(session, feeds, options.seconds)));
        process.stderr.write(`[gpu-check] ${shortName(modelPath)} on ${provider}: batch ${batch} done\n`);
      } catch (error) {
        imagesPerSecond.set(batch, `failed: ${firstLine(error)}`);
      }
    }
  } finally {
    await session.release();
  }
  return { model: modelPath, provider, imagesPerSecond, maxAbsDifference, top1Agreement: agreement };
}

async function medianRunSeconds(
  session: ort.InferenceSession,
  feeds: Record<string, ort.Tensor>,
  seconds: number,
): Promise<number> {
  for (let i = 0; i < WARM_UP_RUNS; i++) await session.run(feeds);
  const times: number[] = [];
  const until = performance.now() + seconds * 1000;
  while (times.length < MINIMUM_RUNS || performance.now() < until) {
    const start = performance.now();
    await session.run(feeds);
    times.push((performance.now() - start) / 1000);
  }
  return median(times);
}

function toArrays(outputs: ort.InferenceSession.OnnxValueMapType): Outputs {
  const arrays: Record<string, Float32Array> = {};
  for (const [name, value] of Object.entries(outputs)) {
    const tensor = value as ort.Tensor;
    if (!(tensor.data instanceof Float32Array)) throw new Error(`output '${name}' is ${tensor.type}, not float32`);
    arrays[name] = tensor.data;
  }
  return arrays;
}

/** NaN anywhere counts as an infinite difference: a provider that computes garbage must not look exact. */
function largestDifference(outputs: Outputs, expected: Outputs): number {
  let largest = 0;
  for (const [name, want] of Object.entries(expected)) {
    const got = outputs[name];
    if (got === undefined || got.length !== want.length) return Infinity;
    for (let i = 0; i < want.length; i++) {
      const difference = Math.abs(got[i]! - want[i]!);
      largest = Number.isNaN(difference) ? Infinity : Math.max(largest, difference);
    }
  }
  return largest;
}

function countTop1(
  outputs: Outputs,
  expected: Outputs,
  batch: number,
  agreement: { same: number; images: number },
): void {
  const name = Object.keys(expected)[0]!;
  const got = outputs[name]!;
  const want = expected[name]!;
  const classes = want.length / batch;
  for (let image = 0; image < batch; image++) {
    agreement.images += 1;
    if (argmax(got, image * classes, classes) === argmax(want, image * classes, classes)) agreement.same += 1;
  }
}

function argmax(values: Float32Array, start: number, length: number): number {
  let best = 0;
  for (let i = 1; i < length; i++) if (values[start + i]! > values[start + best]!) best = i;
  return best;
}

function table(results: readonly ProviderResult[], options: CheckOptions): string {
  const cpuRate = (model: string, batch: number): number | undefined => {
    const rate = results.find((r) => r.model === model && r.provider === 'cpu')?.imagesPerSecond.get(batch);
    return typeof rate === 'number' ? rate : undefined;
  };
  const header = [
    'model',
    'provider',
    ...options.batches.map((b) => `batch ${b} img/s (×cpu)`),
    'max |Δ| vs cpu',
    'top-1 = cpu',
  ];
  const rows = results.map((r) => {
    if (r.unavailable !== undefined)
      return [shortName(r.model), r.provider, ...options.batches.map(() => 'unavailable'), '', ''];
    const rates = options.batches.map((batch) => {
      const rate = r.imagesPerSecond.get(batch);
      if (typeof rate !== 'number') return rate ?? '';
      const base = cpuRate(r.model, batch);
      return `${rate >= 100 ? rate.toFixed(0) : rate.toPrecision(3)}${base === undefined || r.provider === 'cpu' ? '' : ` (${(rate / base).toPrecision(3)}×)`}`;
    });
    const { same, images } = r.top1Agreement;
    return [
      shortName(r.model),
      r.provider,
      ...rates,
      r.maxAbsDifference.toExponential(2),
      images === 0 ? '' : `${same}/${images}`,
    ];
  });
  return formatTable(header, rows);
}

function shortName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** ONNX Runtime's messages carry its source paths and multi-line context: the first line, or the adapter failure. */
function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const adapter = /Failed to get a WebGPU adapter[^.\n]*/.exec(message);
  return adapter ? adapter[0] : (message.split('\n')[0] ?? '').trim().replace(/^\/onnxruntime_src\/\S+ /, '');
}

function parseOptions(argv: readonly string[]): CheckOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      seconds: { type: 'string', default: '3' },
      batches: { type: 'string', default: '1,32,256' },
      providers: { type: 'string', default: 'cpu,cuda,webgpu' },
      threads: { type: 'string' },
      models: { type: 'string' },
    },
  });
  const list = (text: string): string[] =>
    text
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  const providers = list(values.providers).map((name) => {
    if (!['cpu', 'cuda', 'webgpu'].includes(name))
      throw new Error(`unknown provider '${name}': should be one of cpu, cuda, webgpu`);
    return name as Provider;
  });
  const batches = list(values.batches).map((text) => {
    const batch = Number(text);
    if (!Number.isInteger(batch) || batch < 1) throw new Error(`--batches: '${text}' is not a positive integer`);
    return batch;
  });
  const seconds = Number(values.seconds);
  if (!(seconds > 0)) throw new Error(`--seconds: '${values.seconds}' is not a positive number`);
  const modelsDir = join(PROJECT_ROOT, 'models');
  // The fp32 default model first, then any other (an int8 one: models/…int8….onnx) that models/ holds.
  const models =
    values.models !== undefined
      ? list(values.models)
      : readdirSync(modelsDir)
          .filter((name) => name.endsWith('.onnx'))
          .sort((a, b) => Number(a.includes('int8')) - Number(b.includes('int8')) || a.localeCompare(b))
          .map((name) => join(modelsDir, name));
  return {
    seconds,
    batches,
    providers,
    threads: intraOpThreads(values.threads === undefined ? undefined : Number(values.threads)),
    models,
  };
}

ort.env.logLevel = 'fatal';
await main(parseOptions(process.argv.slice(2)));
