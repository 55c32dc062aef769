import { DATATYPES, datatypeOfOrt, elementCount, type Datatype, type NumericArray } from '../runtime/index.js';
import { HttpError } from './http-error.js';
import type { InferenceWorkerHandle, RunResult, WireTensor } from '../runtime/node/index.js';

export interface BatchingOptions {
  /** Most rows (images) in one ONNX Runtime run. */
  readonly maxBatchSize: number;
  /** How long the oldest queued request may wait for others to join its batch while a worker is idle (ms). */
  readonly maxQueueDelayMs: number;
  /** Most rows waiting; beyond it requests are refused with 503 and Retry-After. */
  readonly maxQueueRows: number;
  /** From arrival to answer, per request (ms); 504 past it. */
  readonly timeoutMs: number;
}

/** What a request gets back: each output's rows for it, by output name. */
export type RowOutputs = ReadonlyMap<
  string,
  { readonly dims: readonly number[]; readonly data: NumericArray; readonly datatype: Datatype }
>;

export interface BatchObserver {
  queued(seconds: number): void;
  batch(rows: number, inferenceSeconds: number): void;
}

interface Job {
  readonly rows: number;
  /** The rows' values as little-endian bytes (the input's datatype). */
  readonly bytes: Uint8Array;
  readonly arrived: number;
  readonly resolve: (outputs: RowOutputs) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
  settled: boolean;
}

/**
 * Dynamic batching across concurrent requests, as Triton's dynamic batcher does it: requests queue; whenever a
 * worker is free it takes the queued rows (up to maxBatchSize) as one run, waiting at most maxQueueDelayMs for
 * more when the queue holds less than a full batch. The queue is bounded; every request has a deadline.
 */
export class DynamicBatcher {
  private readonly queue: Job[] = [];
  private queuedRows = 0;
  private readonly idle: InferenceWorkerHandle[];
  private inFlight = 0;
  private delayTimer: NodeJS.Timeout | undefined;
  private readonly drainWaiters: (() => void)[] = [];

  constructor(
    workers: readonly InferenceWorkerHandle[],
    private readonly input: {
      readonly name: string;
      readonly datatype: Datatype;
      readonly rowShape: readonly number[];
    },
    private readonly options: BatchingOptions,
    private readonly observer: BatchObserver,
  ) {
    this.idle = [...workers];
  }

  /** Requests queued or running. */
  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  /**
   * Queues `rows` rows of input (row-major, rowShape each, as the datatype's little-endian bytes) and resolves with
   * their outputs. The bytes are read when the batch is stacked: the caller must not change them before.
   */
  submit(rows: number, bytes: Uint8Array): Promise<RowOutputs> {
    if (this.queuedRows + rows > this.options.maxQueueRows) {
      return Promise.reject(
        new HttpError(503, `the server is busy: ${this.queuedRows} images are queued; retry shortly`, {
          'Retry-After': '1',
        }),
      );
    }
    return new Promise<RowOutputs>((resolve, reject) => {
      const job: Job = {
        rows,
        bytes,
        arrived: performance.now(),
        resolve,
        reject,
        settled: false,
        timer: setTimeout(() => this.expire(job), this.options.timeoutMs),
      };
      this.queue.push(job);
      this.queuedRows += rows;
      this.dispatch();
    }).finally(() => this.notifyIfDrained());
  }

  /** Resolves once nothing is queued or running. */
  drained(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private notifyIfDrained(): void {
    if (this.pending !== 0) return;
    for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  private expire(job: Job): void {
    if (job.settled) return;
    const index = this.queue.indexOf(job);
    if (index >= 0) {
      this.queue.splice(index, 1);
      this.queuedRows -= job.rows;
    }
    this.settle(job, () =>
      job.reject(new HttpError(504, `no answer within the request timeout of ${this.options.timeoutMs} ms`)),
    );
  }

  private settle(job: Job, action: () => void): void {
    if (job.settled) return;
    job.settled = true;
    clearTimeout(job.timer);
    action();
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const oldestWait = performance.now() - this.queue[0]!.arrived;
      if (this.queuedRows < this.options.maxBatchSize && oldestWait < this.options.maxQueueDelayMs) {
        this.delayTimer ??= setTimeout(() => {
          this.delayTimer = undefined;
          this.dispatch();
        }, this.options.maxQueueDelayMs - oldestWait);
        return;
      }
      const batch: Job[] = [];
      let rows = 0;
      while (this.queue.length > 0 && rows + this.queue[0]!.rows <= this.options.maxBatchSize) {
        const job = this.queue.shift()!;
        batch.push(job);
        rows += job.rows;
      }
      this.queuedRows -= rows;
      void this.runBatch(this.idle.pop()!, batch, rows);
    }
  }

  private async runBatch(worker: InferenceWorkerHandle, batch: readonly Job[], rows: number): Promise<void> {
    this.inFlight += batch.length;
    const started = performance.now();
    for (const job of batch) this.observer.queued((started - job.arrived) / 1000);
    try {
      const result = await worker.run([this.stack(batch, rows)]);
      this.observer.batch(rows, result.seconds);
      this.deliver(batch, result, rows);
    } catch (error) {
      const message = `inference failed: ${error instanceof Error ? error.message : String(error)}`;
      for (const job of batch) this.settle(job, () => job.reject(new HttpError(500, message)));
    } finally {
      this.inFlight -= batch.length;
      if (worker.alive) this.idle.push(worker);
      this.dispatch();
      this.notifyIfDrained();
    }
  }

  private stack(batch: readonly Job[], rows: number): WireTensor {
    const info = DATATYPES[this.input.datatype];
    const bytes = new Uint8Array(rows * elementCount(this.input.rowShape) * info.bytesPerElement);
    let offset = 0;
    for (const job of batch) {
      bytes.set(job.bytes, offset);
      offset += job.bytes.length;
    }
    return { name: this.input.name, ortType: info.ort, dims: [rows, ...this.input.rowShape], buffer: bytes.buffer };
  }

  /**
   * Splits each output's rows among the batch's requests, in order. An output without one row per batched image
   * (no batch dimension, or a fixed one) cannot be split: the batch fails rather than hand rows to the wrong requests.
   */
  private deliver(batch: readonly Job[], result: RunResult, rows: number): void {
    const outputs = result.outputs.flatMap((output) => {
      const datatype = datatypeOfOrt(output.ortType);
      if (datatype === undefined) return [];
      if (output.dims[0] !== rows) {
        throw new Error(`output '${output.name}' has ${String(output.dims[0])} rows for a batch of ${rows} images`);
      }
      const rowLength = elementCount(output.dims.slice(1));
      return [{ output, datatype, rowLength, all: DATATYPES[datatype].create(output.buffer) }];
    });
    let row = 0;
    for (const job of batch) {
      const mine = new Map<string, { dims: number[]; data: NumericArray; datatype: Datatype }>();
      for (const { output, datatype, rowLength, all } of outputs) {
        mine.set(output.name, {
          dims: [job.rows, ...output.dims.slice(1)],
          data: all.slice(row * rowLength, (row + job.rows) * rowLength),
          datatype,
        });
      }
      row += job.rows;
      this.settle(job, () => job.resolve(mine));
    }
  }
}
