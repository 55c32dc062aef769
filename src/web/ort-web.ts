import * as ort from 'onnxruntime-web/webgpu';
import type { Env } from 'onnxruntime-common';

/**
 * onnxruntime-web as the classifier uses it: the 'onnxruntime-web/webgpu' build, whose one WebAssembly binary
 * (`ort-wasm-simd-threaded.asyncify.wasm`, loaded by `ort-wasm-simd-threaded.asyncify.mjs`) runs both the `wasm`
 * provider and ONNX Runtime's native WebGPU execution provider, the same one onnxruntime-node 1.30 uses (Dawn).
 * The package's default entry has only the older JSEP WebGPU kernels, whose Conv refuses a node that leaves
 * dilations, strides or pads to their ONNX defaults ("dilations should be 2D"), as nin-convert's graphs do.
 */
export { ort };

/**
 * Where onnxruntime-web fetches its .wasm/.mjs files: a folder URL ending in '/', or the two files' URLs.
 *
 * @example
 * ```ts
 * import { loadClassifier, type WasmPaths } from 'nin-sdk/web';
 * const wasmPaths: WasmPaths = new URL('ort/', document.baseURI).href;
 * const classifier = await loadClassifier(undefined, { wasmPaths });
 * ```
 */
export type WasmPaths = Env.WasmPrefixOrFilePaths;

/**
 * Points onnxruntime-web at its WebAssembly files. It reads this setting once, when the first session starts,
 * so it must come with the first loadClassifier call of a page.
 */
export function setWasmPaths(paths: WasmPaths | undefined): void {
  if (paths !== undefined) ort.env.wasm.wasmPaths = paths;
}
