import { Worker } from 'node:worker_threads';
import type { RunReply, WireTensor, WorkerReady, WorkerSetup } from './worker-messages.js';

type Ready = Extract<WorkerReady, { type: 'ready' }>;

export interface RunResult {
  readonly outputs: readonly WireTensor[];
  /** Seconds ONNX Runtime's run() took inside the worker. */
  readonly seconds: number;
}

/**
 * Starts the worker module: beside this one once built by tsc (.js); in the CLI bundles (.mjs, this code in some
 * file of dist/cli or dist/cli/chunks), the worker's own bundle dist/cli/chunks/inference-worker.mjs
 * (scripts/bundle-cli.ts); from source (.ts, tests under tsx) the worker must register tsx's loader itself: loader
 * flags such as --import do not reach worker threads.
 */
function startWorker(setup: WorkerSetup): Worker {
  const here = import.meta.url;
  if (here.endsWith('.mjs')) {
    const bundled = here.includes('/chunks/') ? './inference-worker.mjs' : './chunks/inference-worker.mjs';
    return new Worker(new URL(bundled, here), { workerData: setup });
  }
  if (!here.endsWith('.ts')) return new Worker(new URL('./inference-worker.js', here), { workerData: setup });
  const tsx = import.meta.resolve('tsx/esm/api');
  const module = new URL('./inference-worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(module)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: setup });
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
