/** The messages between a main thread and its inference workers (structured clone, buffers moved). */
import type { InferenceSession } from 'onnxruntime-common';
import type { CheckedBytes } from '../../../model/index.js';
import type { ProviderAttempt } from '../../open-session.js';
import type { Provider } from '../../providers.js';

export interface WorkerSetup {
  /**
   * A CheckedModel's bytes, checked on the sending thread: the worker hands them to ONNX Runtime as they are, without
   * loading the protobuf runtime and decoding them again (which made `predict` of many images slower: the figure is
   * in docs/benchmarks.md).
   */
  readonly model: CheckedBytes;
  /** How errors name the model: its path, or 'model bytes'. */
  readonly source: string;
  readonly providers: readonly Provider[];
  readonly strict: boolean;
  /** The session's options, providers aside (threads, optimization level, spinning). */
  readonly sessionOptions: InferenceSession.SessionOptions;
  /**
   * ONNX Runtime's process-wide log level, set before the session starts: a server silences it; a library leaves
   * the application's setting alone.
   */
  readonly runtimeLogLevel?: 'fatal';
  /** One Int32 shared with the main thread: whether a run is under way (see RunState). */
  readonly runState: SharedArrayBuffer;
}

/**
 * The shared run state of a worker. A process that exits while a worker is inside ONNX Runtime's run() aborts
 * ("terminate called after throwing an instance of 'Napi::Error'", status 134): the worker marks each run, and
 * the main thread's exit hook closes the worker between runs, waiting for the one under way to end.
 */
export const RunState = Object.freeze({ idle: 0, running: 1, closed: 2 });

/** A tensor as it crosses threads: ONNX Runtime's type name, dims, and the bytes (moved, not copied). */
export interface WireTensor {
  readonly name: string;
  readonly ortType: string;
  readonly dims: readonly number[];
  readonly buffer: ArrayBuffer;
}

/** An input or output as ONNX Runtime describes it; symbolic or unknown dims are -1. */
export interface WireValueInfo {
  readonly name: string;
  readonly ortType: string;
  readonly shape: readonly number[];
}

export type WorkerReady =
  | {
      readonly type: 'ready';
      readonly provider: Provider;
      readonly fallbacks: readonly ProviderAttempt[];
      readonly inputs: readonly WireValueInfo[];
      readonly outputs: readonly WireValueInfo[];
    }
  /** `name`: the error's class name (ProviderError, ModelError …), by which callers tell failures apart. */
  | { readonly type: 'failed'; readonly message: string; readonly name: string };

export interface RunRequest {
  readonly id: number;
  /** The run's feeds: a classifier's one input, or a training model's batch and parameters. */
  readonly inputs: readonly WireTensor[];
}

export type RunReply =
  | { readonly type: 'result'; readonly id: number; readonly outputs: readonly WireTensor[]; readonly seconds: number }
  | { readonly type: 'error'; readonly id: number; readonly message: string };
