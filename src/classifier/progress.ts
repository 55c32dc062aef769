import type { Provider } from '../runtime/index.js';

/**
 * What a long step is doing, for a progress bar or a busy indicator (like transformers.js's progress_callback).
 * - `load`: model bytes read or downloaded so far; `total` when known (a Content-Length, a file's size).
 * - `session`: an ONNX Runtime session is starting on this provider (the first WebGPU start can take seconds;
 *   in a browser this includes fetching onnxruntime-web's WebAssembly).
 * - `ready`: the model runs on this provider.
 * - `classify`: images of a classifyBatch call done so far, of `total`.
 *
 * @example
 * ```ts
 * import { loadClassifier, type ProgressEvent } from 'nin-sdk';
 * const events: ProgressEvent[] = [];
 * await loadClassifier(undefined, { onProgress: (event) => events.push(event) });
 * console.log(events.map((event) => event.stage)); // ['load', 'session', 'ready']
 * ```
 */
export type ProgressEvent =
  | { readonly stage: 'load'; readonly source: string; readonly loaded: number; readonly total: number | undefined }
  | { readonly stage: 'session'; readonly source: string; readonly provider: Provider }
  | { readonly stage: 'ready'; readonly source: string; readonly provider: Provider }
  | { readonly stage: 'classify'; readonly done: number; readonly total: number };

/**
 * Told of each step of a load or a batch (see ProgressEvent).
 *
 * @example
 * ```ts
 * import { loadClassifier, type ProgressCallback } from 'nin-sdk';
 * const report: ProgressCallback = (event) => {
 *   if (event.stage === 'load') console.log(`${event.loaded} of ${event.total ?? '?'} bytes`);
 * };
 * await loadClassifier(undefined, { onProgress: report });
 * ```
 */
export type ProgressCallback = (event: ProgressEvent) => void;
