/** The messages between the server's main thread and its inference workers (structured clone, buffers moved). */
import type { ProviderAttempt } from '../runtime/open-session.js';
import type { Provider } from '../runtime/providers.js';

export interface WorkerSetup {
  readonly model: Uint8Array;
  readonly providers: readonly Provider[];
  readonly strict: boolean;
  readonly threads: number;
}

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
  | { readonly type: 'failed'; readonly message: string };

export interface RunRequest {
  readonly id: number;
  readonly input: WireTensor;
}

export type RunReply =
  | { readonly type: 'result'; readonly id: number; readonly outputs: readonly WireTensor[]; readonly seconds: number }
  | { readonly type: 'error'; readonly id: number; readonly message: string };
