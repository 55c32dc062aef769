/** Opsets the emitted graph is valid in: its ops (Conv, Relu, pools, Softmax, Flatten, Pad) are unchanged across them. */
export const SUPPORTED_OPSETS = Object.freeze({ min: 13, max: 21 });
