import { Worker } from 'node:worker_threads';
import { RunState, type RunReply, type WireTensor, type WorkerReady, type WorkerSetup } from './worker-messages.js';

type Ready = Extract<WorkerReady, { type: 'ready' }>;

export interface RunResult {
  readonly outputs: readonly WireTensor[];
  /** Seconds ONNX Runtime's run() took inside the worker. */
  readonly seconds: number;
}

/**
 * Set by scripts/bundle-cli.ts in the CLI bundle: the worker's own bundle, relative to the bundle's folder (dist/cli/).
 * Compiled by tsc there is none, and the worker module lies beside this one.
 */
declare const NIN_BUNDLED_INFERENCE_WORKER: string | undefined;

/** The bundle's folder, whichever of its files (an entry, a command, a command's chunk) this code landed in. */
const BUNDLE_FOLDER = '/dist/cli/';

function workerModule(): URL {
  if (typeof NIN_BUNDLED_INFERENCE_WORKER !== 'string') return new URL('./inference-worker.js', import.meta.url);
  const here = import.meta.url;
  const folder = here.lastIndexOf(BUNDLE_FOLDER);
  if (folder < 0) throw new Error(`internal: the CLI bundle is not under ${BUNDLE_FOLDER} (${here})`);
  return new URL(NIN_BUNDLED_INFERENCE_WORKER, here.slice(0, folder + BUNDLE_FOLDER.length));
}

type WorkerStarter = (setup: WorkerSetup) => Worker;

let startWorker: WorkerStarter = (setup) => new Worker(workerModule(), { workerData: setup });

/**
 * Replaces how workers start: tests that run this module from TypeScript source start the .ts worker with tsx's
 * loader (test/support/inference-workers.ts), since loader flags do not reach worker threads.
 */
export function startWorkersWith(starter: WorkerStarter): void {
  startWorker = starter;
}

/** Longest an exiting process waits for a worker's run to end (a batch of 256 ImageNet images runs for seconds). */
const EXIT_WAIT_MS = 60_000;

/**
 * Run states of the workers alive, closed by the process's 'exit' hook: process.exit() (predict's closed pipe, an
 * application's own) while a worker is inside ONNX Runtime's run() would abort the process instead of exiting.
 */
const liveRunStates = new Set<Int32Array>();

function closeWorkersBeforeExit(): void {
  const deadline = Date.now() + EXIT_WAIT_MS;
  for (const state of liveRunStates) {
    while (Atomics.compareExchange(state, 0, RunState.idle, RunState.closed) === RunState.running) {
      const left = deadline - Date.now();
      if (left <= 0) return;
      Atomics.wait(state, 0, RunState.running, left);
    }
  }
}

function trackRunState(state: Int32Array): void {
  if (liveRunStates.size === 0) process.on('exit', closeWorkersBeforeExit);
  liveRunStates.add(state);
}

function untrackRunState(state: Int32Array): void {
  liveRunStates.delete(state);
  if (liveRunStates.size === 0) process.off('exit', closeWorkersBeforeExit);
}

/** The main thread's side of one inference worker: start, run one batch at a time, stop. */
export class InferenceWorkerHandle {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (r: RunResult) => void; reject: (e: Error) => void }>();
  private exited: Error | undefined;
  /** Settles when the latest run has. */
  private lastRun: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly worker: Worker,
    readonly ready: Ready,
  ) {
    worker.on('message', (reply: RunReply) => {
      const waiting = this.pending.get(reply.id);
      if (waiting === undefined) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
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

  static start(options: Omit<WorkerSetup, 'runState'>): Promise<InferenceWorkerHandle> {
    const runState = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
    const state = new Int32Array(runState);
    const worker = startWorker({ ...options, runState });
    trackRunState(state);
    worker.once('exit', () => untrackRunState(state));
    return new Promise((resolve, reject) => {
      const onExit = (code: number): void =>
        reject(new Error(`inference worker exited during start-up (code ${code})`));
      worker.once('error', reject);
      worker.once('exit', onExit);
      worker.once('message', (message: WorkerReady) => {
        worker.off('error', reject);
        worker.off('exit', onExit);
        if (message.type === 'ready') {
          // Idle, a worker does not keep the process alive (a library user may never dispose of it); see run().
          worker.unref();
          resolve(new InferenceWorkerHandle(worker, message));
        } else {
          void worker.terminate();
          reject(Object.assign(new Error(message.message), { name: message.name }));
        }
      });
    });
  }

  get alive(): boolean {
    return this.exited === undefined;
  }

  /** Runs the session on these feeds (a classifier's one input, or all of a model's); their buffers move to the worker. */
  run(inputs: readonly WireTensor[]): Promise<RunResult> {
    if (this.exited !== undefined) return Promise.reject(this.exited);
    const id = this.nextId++;
    // Referenced while a run is pending: a process awaiting only this worker's answer must not end meanwhile.
    if (this.pending.size === 0) this.worker.ref();
    const run = new Promise<RunResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage(
        { id, inputs },
        inputs.map((input) => input.buffer),
      );
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
    // Referenced until it has exited: otherwise the process could end first, and the caller's code after stop() never run.
    this.worker.ref();
    await this.lastRun;
    this.worker.postMessage({ type: 'stop' });
    await exited;
  }
}
