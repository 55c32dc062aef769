import type { ProviderAttempt } from '../runtime/index.js';
import type { ClassMapsJson } from './class-maps.js';
import type { Prediction } from './predictions.js';

/** One image's outcome: its predictions (with its class maps, where asked for), or why it failed. */
export interface ImageOutcome {
  readonly file: string;
  readonly predictions?: readonly Prediction[];
  readonly classMaps?: ClassMapsJson;
  readonly error?: string;
}

/**
 * The JSON document of `nin-sdk predict --json`, which `nin-sdk serve`'s image route answers as well. The provider
 * is said once, for the document, not in each prediction.
 */
export interface PredictionsDocument {
  readonly model: string;
  readonly family: string;
  /** 'fp32' or 'int8' for a model loaded here; absent when a server computed the scores. */
  readonly dtype?: string;
  /** Where the scores were computed: an execution provider, or the server that was asked. */
  readonly provider: string;
  readonly fallbacks: readonly ProviderAttempt[];
  readonly results: readonly ImageOutcome[];
}

export function predictionsDocument(
  source: Omit<PredictionsDocument, 'results'>,
  outcomes: readonly ImageOutcome[],
): PredictionsDocument {
  return {
    model: source.model,
    family: source.family,
    ...(source.dtype === undefined ? {} : { dtype: source.dtype }),
    provider: source.provider,
    fallbacks: source.fallbacks,
    results: outcomes.map((r) =>
      r.error !== undefined
        ? { file: r.file, error: r.error }
        : {
            file: r.file,
            predictions: r.predictions!.map(({ label, index, probability }) => ({ label, index, probability })),
            ...(r.classMaps === undefined ? {} : { classMaps: r.classMaps }),
          },
    ),
  };
}
