/** A PyTorch-style state_dict of float32 tensors: state_dict names in order, C-contiguous values. */
export type StateDict = ReadonlyMap<string, { readonly shape: readonly number[]; readonly data: Float32Array }>;
