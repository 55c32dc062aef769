import type { Tensor } from 'onnxruntime-common';
import type { CheckedModel } from '../../model/index.js';
import type { OpenSessionOptions } from '../../runtime/index.js';
import { InferenceWorkerHandle, wireTensorData, type WireTensor } from '../../runtime/node/index.js';
import type { OpenedTrainModel, TrainModelOpener, TrainModelRunner } from '../train-model-runner.js';

/**
 * The training model as `count` replicas, each in a worker thread with one intra-op thread, each running a
 * contiguous share of the batch; their outputs are combined weighted by share. On a CPU this beats one session
 * with `count` intra-op threads: many of a training step's ops (the weight gradients' slices, padding, the masks
 * of the ReLU and MaxPool backward passes) run on one thread in ONNX Runtime's CPU provider, so one session's second
 * core idles through them, while two replicas keep both cores on their own work (docs/training.md has the figures).
 *
 * Every output must be a batch mean (the loss and its gradients): then the weighted sum is the whole batch's, as one
 * session would give, up to float rounding. TrainingSession refuses BatchNorm models on it (runner.splitsBatch).
 * CPU only: replicas on one GPU would share it.
 */
export function openReplicatedTrainModel(count: number): TrainModelOpener {
  if (!(Number.isInteger(count) && count >= 2))
    throw new RangeError(`internal: replicas need a count of at least 2, got ${count}`);
  return async (_ort, model, options) => start(model, count, options);
}

async function start(model: CheckedModel, count: number, options: OpenSessionOptions): Promise<OpenedTrainModel> {
  const setup = {
    model: model.bytes,
    source: model.source,
    providers: ['cpu'] as const,
    strict: true,
    sessionOptions: { ...options.sessionOptions, intraOpNumThreads: 1 },
  };
  const starts = await Promise.allSettled(Array.from({ length: count }, () => InferenceWorkerHandle.start(setup)));
  const replicas = starts.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = starts.find((s) => s.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(replicas.map((r) => r.stop()));
    throw failed.reason;
  }
  return { runner: new ReplicatedTrainModel(replicas), provider: 'cpu', fallbacks: [] };
}

class ReplicatedTrainModel implements TrainModelRunner {
  readonly splitsBatch = true;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Inputs whose first dim is the batch (dynamic): split into shares. The rest (the parameters) go whole to each. */
  private readonly batchInputs: ReadonlySet<string>;

  constructor(private readonly replicas: readonly InferenceWorkerHandle[]) {
    const { inputs, outputs } = replicas[0]!.ready;
    this.inputNames = inputs.map((i) => i.name);
    this.outputNames = outputs.map((o) => o.name);
    this.batchInputs = new Set(inputs.filter((i) => i.shape[0] === -1).map((i) => i.name));
  }

  async run(feeds: Readonly<Record<string, Tensor>>): Promise<Readonly<Record<string, Pick<Tensor, 'data'>>>> {
    const batch = this.batchSize(feeds);
    const shares = batchShares(batch, this.replicas.length);
    const results = await Promise.all(
      shares.map((share, k) =>
        this.replicas[k]!.run(
          Object.entries(feeds).map(([name, tensor]) =>
            this.batchInputs.has(name) ? rows(name, tensor, share.start, share.count) : whole(name, tensor),
          ),
        ),
      ),
    );
    const combined: Record<string, { data: Float32Array }> = {};
    results.forEach((result, k) => {
      const weight = shares[k]!.count / batch;
      for (const output of result.outputs) {
        const data = wireTensorData(output);
        if (!(data instanceof Float32Array))
          throw new Error(`internal: the training model's output ${output.name} is not float32`);
        const sum = (combined[output.name] ??= { data: new Float32Array(data.length) }).data;
        for (let i = 0; i < sum.length; i++) sum[i]! += weight * data[i]!;
      }
    });
    return combined;
  }

  release(): Promise<void> {
    return Promise.all(this.replicas.map((r) => r.stop())).then(() => undefined);
  }

  private batchSize(feeds: Readonly<Record<string, Tensor>>): number {
    const sizes = new Set([...this.batchInputs].map((name) => feeds[name]?.dims[0]));
    const [size] = sizes;
    if (sizes.size !== 1 || typeof size !== 'number' || size < 1)
      throw new RangeError(`runTrainStep: the batch inputs (${[...this.batchInputs].join(', ')}) differ in batch size`);
    return size;
  }
}

/** `batch` rows in at most `replicas` contiguous shares as equal as can be, the larger first; none empty. */
export function batchShares(batch: number, replicas: number): { start: number; count: number }[] {
  const used = Math.min(batch, replicas);
  const shares: { start: number; count: number }[] = [];
  let start = 0;
  for (let k = 0; k < used; k++) {
    const count = Math.floor(batch / used) + (k < batch % used ? 1 : 0);
    shares.push({ start, count });
    start += count;
  }
  return shares;
}

/** Rows [start, start + count) of a batch input, copied (the caller's buffer stays where it is). */
function rows(name: string, tensor: Tensor, start: number, count: number): WireTensor {
  const bytes = bytesOf(tensor);
  const rowBytes = bytes.byteLength / tensor.dims[0]!;
  return wire(name, tensor, bytes.slice(start * rowBytes, (start + count) * rowBytes), [
    count,
    ...tensor.dims.slice(1),
  ]);
}

function whole(name: string, tensor: Tensor): WireTensor {
  return wire(name, tensor, bytesOf(tensor).slice(), tensor.dims);
}

function wire(name: string, tensor: Tensor, bytes: Uint8Array, dims: readonly number[]): WireTensor {
  return { name, ortType: tensor.type, dims: [...dims], buffer: bytes.buffer as ArrayBuffer };
}

function bytesOf(tensor: Tensor): Uint8Array {
  const data = tensor.data;
  if (!ArrayBuffer.isView(data)) throw new Error(`internal: a replica takes typed arrays, not ${typeof data}`);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
