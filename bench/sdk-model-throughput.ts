import * as ort from 'onnxruntime-node';
import { join } from 'node:path';
import { seededBatch } from './seeded-input.js';
import type { TorchModelWorker, TorchOutputs } from './torch-model-worker.js';

/** CIFAR-10 input: 3 × 32 × 32, values spread like normalised images. */
const SIDE = 32;
const INPUT_LOW = -2;
const INPUT_HIGH = 2;
/** Each side's timed runs come in this many turns per case (alternating), so that both meet the same load. */
const TURNS_PER_CASE = 10;
const WARM_UP_RUNS = 3;

export interface ModelThroughputCase {
  readonly batch: number;
  /** Seconds of each timed run: ONNX Runtime's measured here, PyTorch's by the worker itself. */
  readonly ortRunSeconds: readonly number[];
  readonly torchRunSeconds: readonly number[];
  /** Largest |ORT − PyTorch| on the same batch: proof that both run the same weights. */
  readonly maxAbsDifference: { readonly logits: number; readonly probabilities: number };
}

export interface ModelThroughputSettings {
  /** Wall-clock budget of one case's timed runs, both sides together. */
  readonly secondsPerCase: number;
  /** At least this many timed runs of each side, however long they take. */
  readonly minimumRuns: number;
  /** ONNX Runtime's intra-op threads: what the SDK gives it on Node (one per physical core), as PyTorch gets. */
  readonly threads: number;
}

type Feeds = Record<string, ort.Tensor>;

/**
 * The default model on onnxruntime-node (CPU, the SDK's session options: one intra-op thread per physical core)
 * against the same weights in PyTorch (eval, no_grad), on one seeded batch. Turns of about secondsPerCase / 10 alternate
 * ORT torch torch ORT …: each turn is many runs, so that one side's thread pool winding down (ORT's spinning
 * workers, OpenMP's) is not billed to the other's runs, while load that comes and goes still falls on both.
 */
export async function runModelThroughputCase(
  onnxPath: string,
  torch: TorchModelWorker,
  batch: number,
  settings: ModelThroughputSettings,
  scratchDir: string,
): Promise<ModelThroughputCase> {
  const session = await ort.InferenceSession.create(onnxPath, { intraOpNumThreads: settings.threads });
  try {
    const shape = [batch, 3, SIDE, SIDE];
    const data = seededBatch(batch * 3 * SIDE * SIDE, 31337 + batch, INPUT_LOW, INPUT_HIGH);
    const feeds: Feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', data, shape) };
    const torchOutputs = await torch.setInput(data, shape, join(scratchDir, `input-batch-${batch}.f32`));
    const maxAbsDifference = compareOutputs(await session.run(feeds), torchOutputs);
    await timeOrtRuns(session, feeds, 0, WARM_UP_RUNS);
    await torch.timeRuns(0, WARM_UP_RUNS);

    const turnSeconds = settings.secondsPerCase / TURNS_PER_CASE;
    const sides = [
      { runs: (): Promise<number[]> => timeOrtRuns(session, feeds, turnSeconds, 1), runSeconds: [] as number[] },
      { runs: (): Promise<number[]> => torch.timeRuns(turnSeconds, 1), runSeconds: [] as number[] },
    ] as const;
    const enough = (): boolean => sides.every((s) => s.runSeconds.length >= settings.minimumRuns);
    const started = performance.now();
    for (let pair = 0; !enough() || performance.now() - started < settings.secondsPerCase * 1000; pair++) {
      for (const side of pair % 2 === 0 ? sides : [...sides].reverse()) side.runSeconds.push(...(await side.runs()));
    }
    const [ortSide, torchSide] = sides;
    return { batch, ortRunSeconds: ortSide.runSeconds, torchRunSeconds: torchSide.runSeconds, maxAbsDifference };
  } finally {
    await session.release();
  }
}

async function timeOrtRuns(
  session: ort.InferenceSession,
  feeds: Feeds,
  seconds: number,
  minRuns: number,
): Promise<number[]> {
  const runSeconds: number[] = [];
  const started = performance.now();
  while (runSeconds.length < minRuns || performance.now() - started < seconds * 1000) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    runSeconds.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return runSeconds;
}

function compareOutputs(
  ortOutputs: ort.InferenceSession.ReturnType,
  torchOutputs: TorchOutputs,
): ModelThroughputCase['maxAbsDifference'] {
  const maxDifference = (name: 'logits' | 'probabilities'): number => {
    const ours = ortOutputs[name]?.data;
    const theirs = torchOutputs[name];
    if (!(ours instanceof Float32Array)) throw new Error(`the ONNX model has no float32 output '${name}'`);
    if (ours.length !== theirs.length)
      throw new Error(`output ${name}: ${ours.length} values from ONNX Runtime, ${theirs.length} from PyTorch`);
    let max = 0;
    for (let i = 0; i < ours.length; i++) max = Math.max(max, Math.abs(ours[i]! - theirs[i]!));
    return max;
  };
  return { logits: maxDifference('logits'), probabilities: maxDifference('probabilities') };
}
