import type { Provider } from '../runtime/providers.js';

/**
 * What a long step is doing, for a progress bar or a busy indicator (like transformers.js's progress_callback).
 * - `load`: model bytes read or downloaded so far; `total` when known (a Content-Length, a file's size).
 * - `session`: an ONNX Runtime session is starting on this provider (the first WebGPU start can take seconds;
 *   in a browser this includes fetching onnxruntime-web's WebAssembly).
 * - `ready`: the model runs on this provider.
 * - `classify`: images of a classifyBatch call done so far, of `total`.
 */
export type ProgressEvent =
  | { readonly stage: 'load'; readonly source: string; readonly loaded: number; readonly total: number | undefined }
  | { readonly stage: 'session'; readonly source: string; readonly provider: Provider }
  | { readonly stage: 'ready'; readonly source: string; readonly provider: Provider }
  | { readonly stage: 'classify'; readonly done: number; readonly total: number };

export type ProgressCallback = (event: ProgressEvent) => void;
