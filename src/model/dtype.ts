import { QUANTIZATION_METADATA_KEYS } from '../quantize/metadata.js';
import type { Provider } from '../runtime/providers.js';

/**
 * The precisions of nin-sdk models: float32 and int8 (static QDQ, made by `nin-sdk quantize`).
 *
 * @example
 * ```ts
 * import { MODEL_DTYPES } from 'nin-sdk';
 * console.log(MODEL_DTYPES.join(', ')); // fp32, int8
 * ```
 */
export const MODEL_DTYPES = ['fp32', 'int8'] as const;
/**
 * A model's precision: 'fp32' or 'int8'.
 *
 * @example
 * ```ts
 * import { classify, type ModelDtype } from 'nin-sdk';
 * const dtype: ModelDtype = 'fp32';
 * const { top } = await classify('cat.jpg', { dtype });
 * ```
 */
export type ModelDtype = (typeof MODEL_DTYPES)[number];

/**
 * The embedded model's precision when none is asked for, per provider, chosen by measurement (docs/int8.md):
 * - cpu (onnxruntime-node) and wasm (onnxruntime-web): int8. It names the same classes as float32 and runs faster
 *   on x86 (ONNX Runtime fuses each DQ → Conv → Relu → Q into one QLinearConv) and in wasm; the figures are in
 *   docs/int8.md and docs/benchmarks.md.
 * - cuda and webgpu: fp32. GPUs are not short of float throughput for a model this small, and WebGPU has no
 *   QuantizeLinear kernel: those nodes fall back to the CPU, which is slower than float32 on the GPU.
 *
 * @example
 * ```ts
 * import { DEFAULT_DTYPE } from 'nin-sdk';
 * console.log(DEFAULT_DTYPE.cpu, DEFAULT_DTYPE.webgpu); // int8 fp32
 * ```
 */
export const DEFAULT_DTYPE: Readonly<Record<Provider, ModelDtype>> = Object.freeze({
  cpu: 'int8',
  wasm: 'int8',
  cuda: 'fp32',
  webgpu: 'fp32',
});

/** Checks a user's dtype choice, naming the valid ones on a mistake. */
export function parseDtype(value: string | undefined): ModelDtype | undefined {
  if (value === undefined) return undefined;
  if ((MODEL_DTYPES as readonly string[]).includes(value)) return value as ModelDtype;
  throw new RangeError(`dtype should be one of ${MODEL_DTYPES.join(', ')}, got '${value}'`);
}

/** A model's precision as its metadata states it; models without `nin.dtype` are float32. */
export function dtypeOfMetadata(metadata: Readonly<Record<string, string>>): ModelDtype {
  return metadata[QUANTIZATION_METADATA_KEYS.dtype] === 'int8' ? 'int8' : 'fp32';
}

/** The dtype of the embedded model to load: the one asked for, else the default of the first provider tried. */
export function embeddedModelDtype(requested: ModelDtype | undefined, providers: readonly Provider[]): ModelDtype {
  return requested ?? DEFAULT_DTYPE[providers[0] ?? 'cpu'];
}
