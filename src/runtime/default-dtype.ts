import type { ModelDtype } from '../model/index.js';
import type { Provider } from './providers.js';

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

/** The dtype of the embedded model to load: the one asked for, else the default of the first provider tried. */
export function embeddedModelDtype(requested: ModelDtype | undefined, providers: readonly Provider[]): ModelDtype {
  return requested ?? DEFAULT_DTYPE[providers[0] ?? 'cpu'];
}
