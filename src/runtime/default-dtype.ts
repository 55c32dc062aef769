import type { ModelDtype } from '../model/dtype.js';
import type { Provider } from './providers.js';

/**
 * The embedded model's precision when none is asked for, per provider, chosen by measurement (docs/int8.md):
 * - cpu (onnxruntime-node) and wasm (onnxruntime-web): int8. On the 10,000 CIFAR-10 test images its top-1 agrees
 *   with float32's on 99.48 % and its accuracy is 85.61 % against 85.57 %, and it runs 2.3-3x faster on x86 (ONNX Runtime
 *   fuses each DQ → Conv → Relu → Q into one QLinearConv) and about 1.6x faster in wasm.
 * - cuda and webgpu: fp32. GPUs are not short of float throughput for a model this small, and WebGPU has no
 *   QuantizeLinear kernel: those nodes fall back to the CPU, which is slower than float32 on the GPU.
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
