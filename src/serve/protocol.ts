/**
 * The JSON objects of the Open Inference Protocol's REST form (KServe v2, as Triton and MLServer speak it),
 * as far as nin-sdk uses them, and the binary tensor data extension's parameter names.
 */
import type { Datatype } from '../runtime/index.js';

/** The HTTP header that says how many leading body bytes are the JSON object when binary tensor data follows. */
export const HEADER_LENGTH_HEADER = 'inference-header-content-length';

export type Parameters = Readonly<Record<string, string | number | boolean>>;

/** `GET /v2`. */
export interface ServerMetadata {
  readonly name: string;
  readonly version: string;
  readonly extensions: readonly string[];
}

/**
 * One input or output in model metadata; -1 marks a dimension of any size (the batch).
 *
 * @example
 * ```ts
 * import type { TensorMetadata } from 'nin-sdk';
 * const input: TensorMetadata = { name: 'input', datatype: 'FP32', shape: [-1, 3, 32, 32] };
 * ```
 */
export interface TensorMetadata {
  readonly name: string;
  readonly datatype: Datatype;
  readonly shape: readonly number[];
}

/**
 * `GET /v2/models/{name}[/versions/{v}]`.
 *
 * @example
 * ```ts
 * import { connect, type ModelMetadata } from 'nin-sdk';
 * const remote = await connect('http://127.0.0.1:8000');
 * const metadata: ModelMetadata = remote.metadata;
 * console.log(metadata.name, metadata.inputs.map((input) => input.shape));
 * ```
 */
export interface ModelMetadata {
  readonly name: string;
  readonly versions: readonly string[];
  readonly platform: string;
  readonly inputs: readonly TensorMetadata[];
  readonly outputs: readonly TensorMetadata[];
}

export interface RequestInput {
  readonly name: string;
  readonly shape: readonly number[];
  readonly datatype: string;
  readonly parameters?: Parameters;
  /** Row-major values, flat or nested; absent when `parameters.binary_data_size` says they follow the JSON. */
  readonly data?: unknown;
}

export interface RequestOutput {
  readonly name: string;
  readonly parameters?: Parameters;
}

export interface InferenceRequest {
  readonly id?: string;
  readonly parameters?: Parameters;
  readonly inputs: readonly RequestInput[];
  readonly outputs?: readonly RequestOutput[];
}

export interface ResponseOutput {
  readonly name: string;
  readonly shape: readonly number[];
  readonly datatype: Datatype;
  readonly parameters?: Parameters;
  readonly data?: readonly number[];
}

export interface InferenceResponse {
  readonly model_name: string;
  readonly model_version?: string;
  readonly id?: string;
  readonly outputs: readonly ResponseOutput[];
}

/** Every error response body. */
export interface ErrorResponse {
  readonly error: string;
}
