import { Worker } from 'node:worker_threads';
import type { RunReply, WireTensor, WorkerReady, WorkerSetup } from './worker-messages.js';

type Ready = Extract<WorkerReady, { type: 'ready' }>;

export interface RunResult {
  readonly outputs: readonly WireTensor[];
  /** Seconds ONNX Runtime's run() took inside the worker. */
  readonly seconds: number;
}

/**
 * Set by scripts/bundle-cli.ts in the CLI bundle: the worker's own bundle, relative to the chunk this code lands in.
 * Compiled by tsc there is none, and the worker module lies beside this one.
 */
declare const NIN_BUNDLED_INFERENCE_WORKER: string | undefined;

function workerModule(): URL {
  return typeof NIN_BUNDLED_INFERENCE_WORKER === 'string'
    ? new URL(NIN_BUNDLED_INFERENCE_WORKER, import.meta.url)
    : new URL('./inference-worker.js', import.meta.url);
}

type WorkerStarter = (setup: WorkerSetup) => Worker;

let startWorker: WorkerStarter = (setup) => new Worker(workerModule(), { workerData: setup });

/**
 * Replaces how workers start: tests that run this module from TypeScript source start the .ts worker with tsx's
 * loader (test/serve/helpers.ts), since loader flags do not reach worker threads.
 */
export function startWorkersWith(starter: WorkerStarter): void {
  startWorker = starter;
}

/** The main thread's side of one inference worker: start, run one batch at a time, stop. */
export class InferenceWorkerHandle {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (r: RunResult) => void; reject: (e: Error) => void }>();
  private exited: Error | undefined;
  /** Settles when the latest run has: the batcher gives a worker one run at a time. */
  private lastRun: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly worker: Worker,
    readonly ready: Ready,
  ) {
    worker.on('message', (reply: RunReply) => {
      const waiting = this.pending.get(reply.id);
      if (waiting === undefined) return;
      this.pending.delete(reply.id);
      if (reply.type === 'result') waiting.resolve({ outputs: reply.outputs, seconds: reply.seconds });
      else waiting.reject(new Error(reply.message));
    });
    const fail = (error: Error): void => {
      this.exited = error;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    worker.on('error', (error) => fail(new Error(`inference worker failed: ${error.message}`)));
    worker.on('exit', (code) => fail(new Error(`inference worker exited (code ${code})`)));
  }

  static start(setup: WorkerSetup): Promise<InferenceWorkerHandle> {
    const worker = startWorker(setup);
    return new Promise((resolve, reject) => {
      const onExit = (code: number): void =>
        reject(new Error(`inference worker exited during start-up (code ${code})`));
      worker.once('error', reject);
      worker.once('exit', onExit);
      worker.once('message', (message: WorkerReady) => {
        worker.off('error', reject);
        worker.off('exit', onExit);
        if (message.type === 'ready') resolve(new InferenceWorkerHandle(worker, message));
        else {
          void worker.terminate();
          reject(new Error(message.message));
        }
      });
    });
  }

  get alive(): boolean {
    return this.exited === undefined;
  }

  /** Runs one input through the session; the input's buffer moves to the worker. */
  run(input: WireTensor): Promise<RunResult> {
    if (this.exited !== undefined) return Promise.reject(this.exited);
    const id = this.nextId++;
    const run = new Promise<RunResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, input }, [input.buffer]);
    });
    this.lastRun = run.catch(() => undefined);
    return run;
  }

  /**
   * Stops the worker once its current run is done: it releases its session and exits. Terminating it during a
   * run would abort the process from inside ONNX Runtime's native code.
   */
  async stop(): Promise<void> {
    if (this.exited !== undefined) return;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    await this.lastRun;
    this.worker.postMessage({ type: 'stop' });
    await exited;
  }
}
