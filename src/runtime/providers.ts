/**
 * An execution provider: 'cpu' and 'cuda' (Node), 'webgpu' (Node and browsers), 'wasm' (browsers).
 *
 * @example
 * ```ts
 * import type { Provider } from 'nin-sdk';
 * const gpu: Provider[] = ['cuda', 'webgpu'];
 * ```
 */
export type Provider = 'cpu' | 'cuda' | 'webgpu' | 'wasm';

/**
 * The providers of onnxruntime-node: what `nin-sdk`'s loadClassifier takes.
 *
 * @example
 * ```ts
 * import { loadClassifier, type NodeProvider } from 'nin-sdk';
 * const order: NodeProvider[] = ['webgpu', 'cpu'];
 * const classifier = await loadClassifier(undefined, { provider: order });
 * ```
 */
export type NodeProvider = 'cpu' | 'cuda' | 'webgpu';

/**
 * The providers of onnxruntime-web: what `nin-sdk/web`'s loadClassifier takes.
 *
 * @example
 * ```ts
 * import { loadClassifier, type WebProvider } from 'nin-sdk/web';
 * const order: WebProvider[] = ['webgpu', 'wasm'];
 * const classifier = await loadClassifier(undefined, { provider: order, wasmPaths: '/ort/' });
 * ```
 */
export type WebProvider = 'webgpu' | 'wasm';

/**
 * Where nin-sdk runs: Node (onnxruntime-node) or a browser (onnxruntime-web).
 *
 * @example
 * ```ts
 * import { PROVIDERS, type Platform } from 'nin-sdk';
 * const here: Platform = 'node';
 * console.log(PROVIDERS.webgpu.platforms.includes(here)); // true
 * ```
 */
export type Platform = 'node' | 'web';

/**
 * What nin-sdk knows of one provider: ONNX Runtime's name for it, where it exists, what it needs to start.
 *
 * @example
 * ```ts
 * import { PROVIDERS, type ProviderInfo } from 'nin-sdk';
 * const cuda: ProviderInfo = PROVIDERS.cuda;
 * console.log(cuda.platforms, cuda.requirement.node);
 * ```
 */
export interface ProviderInfo {
  /** The execution provider name ONNX Runtime's JS API takes. */
  readonly ortName: string;
  /** Where the provider exists at all. */
  readonly platforms: readonly ('node' | 'web')[];
  /** What is needed when it fails to start, said to the user, per platform. */
  readonly requirement: Readonly<Partial<Record<Platform, string>>>;
}

/**
 * Every provider nin-sdk offers, with its ONNX Runtime name, its platforms and what it needs to start.
 *
 * @example
 * ```ts
 * import { PROVIDERS } from 'nin-sdk';
 * for (const [name, info] of Object.entries(PROVIDERS)) console.log(name, info.platforms.join(', '));
 * ```
 */
export const PROVIDERS: Readonly<Record<Provider, ProviderInfo>> = Object.freeze({
  cpu: { ortName: 'cpu', platforms: ['node'], requirement: { node: 'nothing: it is built into onnxruntime-node' } },
  cuda: {
    ortName: 'cuda',
    platforms: ['node'],
    requirement: {
      node:
        "an NVIDIA GPU with the CUDA 12 and cuDNN 9 libraries, and onnxruntime-node's CUDA binaries " +
        '(node node_modules/onnxruntime-node/script/install --onnxruntime-node-install=cuda12; see the README)',
    },
  },
  webgpu: {
    ortName: 'webgpu',
    platforms: ['node', 'web'],
    requirement: {
      node:
        "a WebGPU adapter: a GPU with Vulkan drivers (on a machine without one, Debian's chromium package ships a " +
        'software adapter: VK_DRIVER_FILES=/usr/lib/chromium/vk_swiftshader_icd.json)',
      web: 'a browser with WebGPU enabled (navigator.gpu) and an adapter for this GPU, served from a secure context',
    },
  },
  wasm: { ortName: 'wasm', platforms: ['web'], requirement: { web: 'nothing: it is built into onnxruntime-web' } },
});

/**
 * A provider that is unknown or cannot start (with `strict`, or when none can): the message names the valid
 * providers or what the failed one needs.
 *
 * @example
 * ```ts
 * import { loadClassifier, ProviderError } from 'nin-sdk';
 * try {
 *   await loadClassifier(undefined, { provider: 'cuda', strict: true });
 * } catch (error) {
 *   if (error instanceof ProviderError) console.error(error.message); // what CUDA needs, and why it did not start
 * }
 * ```
 */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
}

/** The providers a platform offers, in the order tried when none is named. */
export function providersOf(platform: Platform): Provider[] {
  return (Object.keys(PROVIDERS) as Provider[]).filter((p) => PROVIDERS[p].platforms.includes(platform));
}

/** What a provider needs to start on a platform, in words for the user. */
export function requirementOf(provider: Provider, platform: Platform): string {
  return (
    PROVIDERS[provider].requirement[platform] ?? `a platform that has it (${PROVIDERS[provider].platforms.join(', ')})`
  );
}

/** Checks a user's provider choice (one name or an ordered list), naming the valid ones on a mistake. */
export function parseProviders(choice: string | readonly string[] | undefined, platform: 'node'): NodeProvider[];
export function parseProviders(choice: string | readonly string[] | undefined, platform: 'web'): WebProvider[];
export function parseProviders(choice: string | readonly string[] | undefined, platform: Platform): Provider[];
export function parseProviders(choice: string | readonly string[] | undefined, platform: Platform): Provider[] {
  const valid = providersOf(platform);
  const fallback: Provider = platform === 'node' ? 'cpu' : 'wasm';
  const asked = choice === undefined ? [fallback] : typeof choice === 'string' ? choice.split(',') : [...choice];
  if (asked.length === 0) throw new ProviderError(`no provider given: should be one of ${valid.join(', ')}`);
  return asked.map((name) => {
    const provider = name.trim().toLowerCase();
    if (!(valid as string[]).includes(provider)) {
      throw new ProviderError(`unknown provider '${name}' for ${platform}: should be one of ${valid.join(', ')}`);
    }
    return provider as Provider;
  });
}
