/**
 * Whether this browser can give ONNX Runtime a WebGPU device, and if not, why, in words a page can show.
 *
 * @example
 * ```ts
 * import { detectWebGpu, type WebGpuSupport } from 'nin-sdk/web';
 * const support: WebGpuSupport = await detectWebGpu();
 * console.log(support.available ? support.adapter : support.reason);
 * ```
 */
export type WebGpuSupport =
  | {
      readonly available: true;
      /** The adapter's vendor and architecture, e.g. 'google swiftshader'. */ readonly adapter: string;
    }
  | { readonly available: false; readonly reason: string };

/**
 * The little of the WebGPU API this file uses. TypeScript's DOM library has no WebGPU types yet, and requiring
 * @webgpu/types of every user for one call is not worth it.
 */
interface GpuLike {
  requestAdapter(): Promise<{ readonly info: { readonly vendor: string; readonly architecture: string } } | null>;
}

/**
 * Asks for a WebGPU adapter the way onnxruntime-web will. A page can say up front that it will run on wasm;
 * `classifier.provider` remains the word on what really ran.
 *
 * @returns whether WebGPU is available, with the adapter's name or why not
 * @example
 * ```ts
 * import { detectWebGpu, loadClassifier } from 'nin-sdk/web';
 * const { available } = await detectWebGpu();
 * const classifier = await loadClassifier(undefined, { provider: available ? ['webgpu', 'wasm'] : 'wasm' });
 * ```
 */
export async function detectWebGpu(): Promise<WebGpuSupport> {
  if (typeof isSecureContext !== 'undefined' && !isSecureContext) {
    return { available: false, reason: 'WebGPU needs a secure context (https:// or http://localhost)' };
  }
  const gpu = typeof navigator === 'undefined' ? undefined : (navigator as Navigator & { readonly gpu?: GpuLike }).gpu;
  if (gpu === undefined) return { available: false, reason: 'this browser has no WebGPU (navigator.gpu is missing)' };
  try {
    const adapter = await gpu.requestAdapter();
    if (adapter === null)
      return {
        available: false,
        reason: 'WebGPU is present but no GPU adapter is available (blocklisted or no driver)',
      };
    const { vendor, architecture } = adapter.info;
    return { available: true, adapter: [vendor, architecture].filter(Boolean).join(' ') || 'unknown' };
  } catch (error) {
    return {
      available: false,
      reason: `requesting a WebGPU adapter failed: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}
