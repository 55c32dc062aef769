import type { Attribute, TensorData } from './types.js';

/**
 * Attribute constructors. Floats are rounded to float32 here, because that is
 * what ONNX stores: a graph then survives a write/read round trip unchanged.
 */
export const attr = {
  int: (value: number): Attribute => {
    if (!Number.isSafeInteger(value)) throw new Error(`attr.int: ${value} is not an integer`);
    return { type: 'int', value };
  },
  ints: (value: readonly number[]): Attribute => {
    const bad = value.find((v) => !Number.isSafeInteger(v));
    if (bad !== undefined) throw new Error(`attr.ints: ${bad} is not an integer`);
    return { type: 'ints', value: [...value] };
  },
  float: (value: number): Attribute => ({ type: 'float', value: Math.fround(value) }),
  floats: (value: readonly number[]): Attribute => ({ type: 'floats', value: value.map((v) => Math.fround(v)) }),
  string: (value: string): Attribute => ({ type: 'string', value }),
  tensor: (value: TensorData): Attribute => ({ type: 'tensor', value }),
} as const;
