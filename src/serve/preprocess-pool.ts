import { Worker } from 'node:worker_threads';
import { ImageError, type PreprocessSpec } from '../preprocess/index.js';
import type { PreprocessReply, PreprocessRequest } from './preprocess-messages.js';

/**
 * Set by scripts/bundle-cli.ts in the CLI bundle: the worker's own bundle, relative to the bundle's folder (dist/cli/).
 * Compiled by tsc there is none, and the worker module lies beside this one.
 */
declare const NIN_BUNDLED_PREPROCESS_WORKER: string | undefined;

const BUNDLE_FOLDER = '/dist/cli/';

function workerModule(): URL {
  if (typeof NIN_BUNDLED_PREPROCESS_WORKER !== 'string') return new URL('./preprocess-worker.js', import.meta.url);
  const here = import.meta.url;
  const folder = here.lastIndexOf(BUNDLE_FOLDER);
  if (folder < 0) throw new Error(`internal: the CLI bundle is not under ${BUNDLE_FOLDER} (${here})`);
  return new URL(NIN_BUNDLED_PREPROCESS_WORKER, here.slice(0, folder + BUNDLE_FOLDER.length));
}

let startWorker: () => Worker = () => new Worker(workerModule());

/**
 * Replaces how preprocessing workers start: tests that run this module from TypeScript source start the .ts
 * worker with tsx's loader (test/support/inference-workers.ts), since loader flags do not reach worker threads.
 */
export function startPreprocessWorkersWith(starter: () => Worker): void {
  startWorker = starter;
}

interface Pending {
  readonly resolve: (tensor: Float32Array) => void;
  readonly reject: (error: Error) => void;
}

interface PoolWorker {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
}

/**
 * Worker threads that turn encoded images into input tensors (see preprocess-worker.ts), started on first use,
 * each given the next image when it has the fewest in hand. Their threads never keep the process alive; a worker
 * that dies fails its images and is replaced by the next use.
 */
export class PreprocessPool {
  private readonly workers: PoolWorker[] = [];
  private nextId = 0;

  /** @param size most worker threads (one per physical core is what the decoding can use) */
  constructor(private readonly size: number) {}

  /**
   * The input tensor of an encoded image, as preprocessImage makes it; rejects with an ImageError for a bad image.
   * @param options how to decode: the pixel limit, how errors name the limit and the image
   */
  preprocess(bytes: Uint8Array, spec: PreprocessSpec, options: PreprocessRequest['options']): Promise<Float32Array> {
    const target = this.leastBusy();
    const id = this.nextId++;
    // A copy of its own, transferred: the request's body stays whole for the other parts.
    const copy = new Uint8Array(bytes);
    return new Promise((resolve, reject) => {
      target.pending.set(id, { resolve, reject });
      target.worker.postMessage({ id, bytes: copy, spec, options } satisfies PreprocessRequest, [copy.buffer]);
    });
  }

  /** Stops the workers; images in hand fail. */
  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    await Promise.all(workers.map(({ worker }) => worker.terminate()));
  }

  private leastBusy(): PoolWorker {
    if (this.workers.length < this.size && this.workers.every((w) => w.pending.size > 0)) return this.start();
    return this.workers.reduce((best, w) => (w.pending.size < best.pending.size ? w : best));
  }

  private start(): PoolWorker {
    const entry: PoolWorker = { worker: startWorker(), pending: new Map() };
    entry.worker.unref();
    entry.worker.on('message', (reply: PreprocessReply) => {
      const pending = entry.pending.get(reply.id);
      if (pending === undefined) return;
      entry.pending.delete(reply.id);
      if ('tensor' in reply) pending.resolve(reply.tensor);
      else
        pending.reject(
          reply.error.name === 'ImageError' ? new ImageError(reply.error.message) : new Error(reply.error.message),
        );
    });
    const fail = (why: string): void => {
      const index = this.workers.indexOf(entry);
      if (index >= 0) this.workers.splice(index, 1);
      for (const pending of entry.pending.values()) pending.reject(new Error(`the preprocessing worker ${why}`));
      entry.pending.clear();
    };
    entry.worker.on('error', (error) => fail(`failed: ${error.message}`));
    entry.worker.on('exit', (code) => fail(`exited (${code})`));
    this.workers.push(entry);
    return entry;
  }
}
