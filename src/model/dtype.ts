import { QUANTIZATION_METADATA_KEYS } from './quantization-metadata.js';

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
