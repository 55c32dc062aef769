import type { InferenceSession } from 'onnxruntime-common';
import type { SessionModel } from '../model/index.js';
import { ortErrorLine } from './ort-error.js';
import { PROVIDERS, ProviderError, requirementOf, type Platform, type Provider } from './providers.js';

/**
 * What the runtime needs of onnxruntime-node or onnxruntime-web: they share this API.
 *
 * @example
 * ```ts
 * import * as ort from 'onnxruntime-node';
 * import type { OrtModule } from 'nin-sdk/train';
 * const runtime: OrtModule = ort;
 * ```
 */
export interface OrtModule {
  readonly InferenceSession: {
    create(model: Uint8Array, options?: InferenceSession.SessionOptions): Promise<InferenceSession>;
  };
}

export interface OpenSessionOptions {
  /** Ordered preference; the first that starts is used. */
  readonly providers: readonly Provider[];
  /** Fail when the first choice cannot start, instead of falling back along the list (and then to CPU / wasm). */
  readonly strict?: boolean;
  readonly platform: Platform;
  readonly sessionOptions?: InferenceSession.SessionOptions;
  /** Told before each provider is tried (a slow start can then be shown as such). */
  readonly onAttempt?: (provider: Provider) => void;
  /**
   * Why a provider cannot start, when the platform knows without asking ONNX Runtime (Node: CUDA's libraries are
   * absent); such a provider is not tried, so ONNX Runtime logs no failure of its own, and the reason is reported
   * as its attempt's error.
   */
  readonly unavailable?: (provider: Provider) => string | undefined;
}

/**
 * A provider that was tried before the one that runs, and why it did not start.
 *
 * @example
 * ```ts
 * import { loadClassifier, type ProviderAttempt } from 'nin-sdk';
 * const classifier = await loadClassifier(undefined, { provider: ['cuda', 'cpu'] });
 * const failed: readonly ProviderAttempt[] = classifier.fallbacks; // [{ provider: 'cuda', error: '…' }] without CUDA
 * ```
 */
export interface ProviderAttempt {
  readonly provider: Provider;
  readonly error: string;
}

export interface OpenedSession {
  readonly session: InferenceSession;
  /** The provider whose session started: the one that really runs the model. */
  readonly provider: Provider;
  /** Providers tried before it, and why each failed. */
  readonly fallbacks: readonly ProviderAttempt[];
}

/**
 * Starts a session on the first provider that works. ONNX Runtime refuses to create a session whose listed
 * execution provider cannot load, so each provider is tried alone: the one that starts is the one that runs.
 * It takes a CheckedModel (or its bytes in a worker thread) only, and gives ONNX Runtime its re-encoded bytes:
 * what was checked is what loads.
 */
export async function openSession(
  ort: OrtModule,
  model: SessionModel,
  options: OpenSessionOptions,
): Promise<OpenedSession> {
  const baseline: Provider = options.platform === 'node' ? 'cpu' : 'wasm';
  const order = options.strict ? [...options.providers] : [...new Set([...options.providers, baseline])];
  const fallbacks: ProviderAttempt[] = [];
  for (const provider of order) {
    options.onAttempt?.(provider);
    const unavailable = options.unavailable?.(provider);
    if (unavailable !== undefined) {
      fallbacks.push({ provider, error: unavailable });
      if (options.strict) break;
      continue;
    }
    try {
      const session = await ort.InferenceSession.create(model.bytes, {
        ...options.sessionOptions,
        executionProviders: [PROVIDERS[provider].ortName],
      });
      return { session, provider, fallbacks };
    } catch (error) {
      fallbacks.push({ provider, error: ortErrorLine(error) });
      if (options.strict) break;
    }
  }
  const tried = fallbacks
    .map((a) => `${a.provider}: ${a.error}; it needs ${requirementOf(a.provider, options.platform)}`)
    .join(' | ');
  throw new ProviderError(`no execution provider could start (${tried})`);
}

/**
 * One session of a checked model on ONNX Runtime's default provider, for the tools that need no provider choice
 * (info, quantize's calibration, export triton's input and output check): like openSession, from the re-encoded
 * bytes that were checked, never from a file's own bytes.
 */
export function createSession(
  ort: OrtModule,
  model: SessionModel,
  options?: InferenceSession.SessionOptions,
): Promise<InferenceSession> {
  return ort.InferenceSession.create(model.bytes, options);
}
