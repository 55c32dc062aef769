/**
 * What a quantized model says about itself in metadata_props: `nin.dtype` ('int8'; models without it are
 * float32) and `nin.calibration`, a JSON record of how the activation ranges were found.
 */
export const QUANTIZATION_METADATA_KEYS = Object.freeze({
  dtype: 'nin.dtype',
  calibration: 'nin.calibration',
});

/**
 * How an int8 model was calibrated, as its metadata records it: method, dataset, images, seed, and the int8 scheme.
 *
 * @example
 * ```ts
 * import type { CalibrationRecord } from 'nin-sdk';
 * declare const record: CalibrationRecord;
 * console.log(`${record.method} on ${record.images} images of ${record.dataset}, seed ${record.seed}`);
 * ```
 */
export interface CalibrationRecord {
  /** 'minmax': each activation's range is its min and max over the calibration images. */
  readonly method: 'minmax';
  /** The dataset's file or folder name (no directories: the record should not leak local paths). */
  readonly dataset: string;
  readonly images: number;
  readonly seed: number;
  readonly activations: 'uint8 per-tensor asymmetric';
  readonly weights: 'int8 per-channel symmetric';
  readonly format: 'QDQ';
}

export function quantizationMetadata(record: CalibrationRecord): Record<string, string> {
  return {
    [QUANTIZATION_METADATA_KEYS.dtype]: 'int8',
    [QUANTIZATION_METADATA_KEYS.calibration]: JSON.stringify(record),
  };
}
