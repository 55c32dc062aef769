/**
 * A PyTorch-style state_dict of float32 tensors: state_dict names in order, C-contiguous values.
 *
 * @example
 * ```ts
 * import type { StateDict } from 'nin-sdk/train';
 * const state: StateDict = new Map([['classifier.0.bias', { shape: [192], data: new Float32Array(192) }]]);
 * ```
 */
export type StateDict = ReadonlyMap<string, { readonly shape: readonly number[]; readonly data: Float32Array }>;
