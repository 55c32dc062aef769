import type { DecodeOptions } from '../preprocess/node/index.js';
import type { PreprocessSpec } from '../preprocess/index.js';

/** One encoded image to turn into a model's input tensor, main thread → preprocessing worker. */
export interface PreprocessRequest {
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly spec: PreprocessSpec;
  readonly options: Pick<DecodeOptions, 'maxPixels' | 'limitName' | 'name'>;
}

/** The tensor, or the error (its class name and one-line message), worker → main thread. */
export type PreprocessReply =
  | { readonly id: number; readonly tensor: Float32Array }
  | { readonly id: number; readonly error: { readonly name: string; readonly message: string } };
