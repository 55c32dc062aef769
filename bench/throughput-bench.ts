import * as ort from 'onnxruntime-node';
import { intraOpThreads } from '../src/io/cpu-cores.js';
import { pairedSessionOptions } from './paired-session-options.js';
import { seededBatch } from './seeded-input.js';

export type Family = 'cifar10' | 'imagenet';

/** Input side and a value range like the family's preprocessed images (CIFAR: normalised; ImageNet: Caffe, 0–255 minus mean). */
const FAMILY_INPUT: Readonly<Record<Family, { readonly side: number; readonly low: number; readonly high: number }>> = {
  cifar10: { side: 32, low: -2, high: 2 },
  imagenet: { side: 224, low: -124, high: 152 },
};

export interface ThroughputCase {
  readonly family: Family;
  readonly batch: number;
  /** Seconds of each timed run; runs of the two models alternate A B B A …, so each pair shares the machine's load. */
  readonly oursRunSeconds: readonly number[];
  readonly exporterRunSeconds: readonly number[];
  /** Largest |ours − exporter's| on the same batch: proof that both compute the same thing. */
  readonly maxAbsDifference: Readonly<Record<string, number>>;
}

export interface ThroughputSettings {
  /** Wall-clock budget of one case's timed runs, both models together. */
  readonly secondsPerCase: number;
  /** At least this many timed runs of each model, however long they take. */
  readonly minimumRuns: number;
}

type Feeds = Record<string, ort.Tensor>;

/**
 * Same session options for both models (all graph optimisations; one intra-op thread per physical core, as nin-sdk
 * sets on Node; pools that sleep between runs, see pairedSessionOptions).
 * After two warm-up runs each, single runs of the two models alternate (A B B A …) until the budget is spent: on a
 * machine shared with other work, load changes within seconds, and fine interleaving lets both models share it
 * alike. Medians of the run times then shrug off the bursts.
 */
export async function runThroughputCase(
  ourOnnxPath: string,
  exporterOnnxPath: string,
  family: Family,
  batch: number,
  settings: ThroughputSettings,
): Promise<ThroughputCase> {
  const sessionOptions = pairedSessionOptions(intraOpThreads());
  const ours = await ort.InferenceSession.create(ourOnnxPath, sessionOptions);
  const exporter = await ort.InferenceSession.create(exporterOnnxPath, sessionOptions);
  try {
    const { side, low, high } = FAMILY_INPUT[family];
    const data = seededBatch(batch * 3 * side * side, 20240 + batch, low, high);
    const feedsFor = (session: ort.InferenceSession): Feeds => ({
      [session.inputNames[0]!]: new ort.Tensor('float32', data, [batch, 3, side, side]),
    });
    const oursFeeds = feedsFor(ours);
    const exporterFeeds = feedsFor(exporter);

    await ours.run(oursFeeds);
    await exporter.run(exporterFeeds);
    const maxAbsDifference = compareOutputs(
      (await timeRun(ours, oursFeeds)).outputs,
      (await timeRun(exporter, exporterFeeds)).outputs,
    );

    const contenders = [
      { session: ours, feeds: oursFeeds, runSeconds: [] as number[] },
      { session: exporter, feeds: exporterFeeds, runSeconds: [] as number[] },
    ] as const;
    const started = performance.now();
    for (
      let pair = 0;
      pair < settings.minimumRuns || performance.now() - started < settings.secondsPerCase * 1000;
      pair++
    ) {
      for (const { session, feeds, runSeconds } of pair % 2 === 0 ? contenders : [...contenders].reverse()) {
        runSeconds.push((await timeRun(session, feeds)).seconds);
      }
    }
    const [oursRuns, exporterRuns] = contenders;
    return {
      family,
      batch,
      oursRunSeconds: oursRuns.runSeconds,
      exporterRunSeconds: exporterRuns.runSeconds,
      maxAbsDifference,
    };
  } finally {
    await ours.release();
    await exporter.release();
  }
}

async function timeRun(
  session: ort.InferenceSession,
  feeds: Feeds,
): Promise<{ seconds: number; outputs: ort.InferenceSession.ReturnType }> {
  const started = process.hrtime.bigint();
  const outputs = await session.run(feeds);
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, outputs };
}

function compareOutputs(
  ours: ort.InferenceSession.ReturnType,
  exporter: ort.InferenceSession.ReturnType,
): Record<string, number> {
  const differences: Record<string, number> = {};
  for (const [name, tensor] of Object.entries(ours)) {
    const other = exporter[name];
    if (other === undefined || !(tensor.data instanceof Float32Array) || !(other.data instanceof Float32Array))
      continue;
    if (tensor.data.length !== other.data.length)
      throw new Error(`output ${name}: ${tensor.data.length} values in ours, ${other.data.length} in the exporter's`);
    let max = 0;
    for (let i = 0; i < tensor.data.length; i++) max = Math.max(max, Math.abs(tensor.data[i]! - other.data[i]!));
    differences[name] = max;
  }
  return differences;
}
