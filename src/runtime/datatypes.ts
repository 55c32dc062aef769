/**
 * The Open Inference Protocol's tensor datatypes that nin-sdk moves, with the typed array and ONNX Runtime
 * tensor type behind each. Binary tensor data is little-endian, row-major, no padding: on little-endian hosts
 * (every platform onnxruntime-node ships for) that is a typed array's own memory.
 *
 * @example
 * ```ts
 * import type { NumericArray } from 'nin-sdk';
 * const row: NumericArray = new Float32Array([0.1, 0.9]);
 * ```
 */
export type NumericArray =
  Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

export interface DatatypeInfo {
  /** ONNX Runtime's name of the tensor type. */
  readonly ort: string;
  readonly bytesPerElement: number;
  /** A typed array over `length` elements at `offset` of a buffer, or a new one of `length` elements. */
  readonly create: (buffer: ArrayBuffer | number, offset?: number, length?: number) => NumericArray;
}

const table = <T extends NumericArray>(
  ort: string,
  TypedArray: {
    new (length: number): T;
    new (buffer: ArrayBuffer, offset?: number, length?: number): T;
    readonly BYTES_PER_ELEMENT: number;
  },
): DatatypeInfo => ({
  ort,
  bytesPerElement: TypedArray.BYTES_PER_ELEMENT,
  create: (buffer, offset, length) =>
    typeof buffer === 'number' ? new TypedArray(buffer) : new TypedArray(buffer, offset, length),
});

export const DATATYPES = Object.freeze({
  FP32: table('float32', Float32Array),
  FP64: table('float64', Float64Array),
  INT8: table('int8', Int8Array),
  UINT8: table('uint8', Uint8Array),
  INT16: table('int16', Int16Array),
  UINT16: table('uint16', Uint16Array),
  INT32: table('int32', Int32Array),
  UINT32: table('uint32', Uint32Array),
}) satisfies Readonly<Record<Datatype, DatatypeInfo>>;

/**
 * An Open Inference Protocol tensor datatype that nin-sdk moves (FP32, UINT8 …).
 *
 * @example
 * ```ts
 * import type { Datatype } from 'nin-sdk';
 * const datatype: Datatype = 'FP32';
 * ```
 */
export type Datatype = 'FP32' | 'FP64' | 'INT8' | 'UINT8' | 'INT16' | 'UINT16' | 'INT32' | 'UINT32';

export function isDatatype(name: unknown): name is Datatype {
  return typeof name === 'string' && Object.hasOwn(DATATYPES, name);
}

/** The protocol's datatype of an ONNX Runtime tensor type, if nin-sdk moves it. */
export function datatypeOfOrt(ortType: string): Datatype | undefined {
  return (Object.keys(DATATYPES) as Datatype[]).find((d) => DATATYPES[d].ort === ortType);
}

/** Elements of a shape; the caller has checked the dims are non-negative integers. */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}
