/** What the page and its training worker (training-worker.ts) say to each other. */
import type { FineTuneBatchProgress, FineTuneEpoch, WebFineTuneResult, WebProvider } from 'nin-sdk/web';

/** Page → worker. */
export type ToTrainingWorker =
  | {
      readonly kind: 'start';
      /** The chosen files with their class folders (Files are handles: nothing is read until decoded). */
      readonly images: readonly { readonly file: File; readonly folder: string }[];
      /** The model in use, or undefined for the default model. */
      readonly model: Uint8Array | undefined;
      readonly providers: readonly WebProvider[];
      readonly wasmPaths: string;
      readonly epochs: number;
      /** The share held out for validation; undefined for none. */
      readonly validation: number | undefined;
    }
  | { readonly kind: 'stop' };

/** Worker → page. */
export type FromTrainingWorker =
  | { readonly kind: 'decode'; readonly decoded: number; readonly total: number }
  | { readonly kind: 'batch'; readonly progress: FineTuneBatchProgress }
  | { readonly kind: 'epoch'; readonly epoch: FineTuneEpoch }
  | { readonly kind: 'done'; readonly result: WebFineTuneResult }
  /** The run failed: the error's message, as the page's error line shows it. */
  | { readonly kind: 'failed'; readonly message: string };
