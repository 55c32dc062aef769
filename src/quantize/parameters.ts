/**
 * The arithmetic of static quantization, in one place: how a calibrated range becomes a uint8 scale and zero
 * point, and how weights and biases become int8 and int32. Follows ONNX's QuantizeLinear (round half to even,
 * saturate) so that what is computed here matches what ONNX Runtime computes at run time.
 */

/** The smallest and largest value a tensor took during calibration. */
export interface ValueRange {
  readonly min: number;
  readonly max: number;
}

/** Per-tensor quantization of an activation to uint8: real = (q − zeroPoint) × scale. */
export interface ActivationParameters {
  /** Already rounded to float32, as stored in the file. */
  readonly scale: number;
  readonly zeroPoint: number;
}

const UINT8_MAX = 255;
/** Symmetric int8 weights use −127…127: the range stays symmetric and −128 never appears. */
const INT8_SYMMETRIC_MAX = 127;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** Round half to even, as ONNX's QuantizeLinear rounds. */
export function roundHalfToEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * uint8 asymmetric parameters for a range, widened to include 0 so that 0 (ReLU's floor, padding) is exact. A
 * range that starts at 0, as every ReLU output does, gets zero point 0: that is what lets ONNX Runtime drop the
 * Relu into the preceding Conv's requantization.
 */
export function activationParameters(range: ValueRange, what: string): ActivationParameters {
  if (!Number.isFinite(range.min) || !Number.isFinite(range.max) || range.min > range.max) {
    throw new Error(`quantize: ${what} has no finite calibrated range (min ${range.min}, max ${range.max})`);
  }
  const low = Math.min(range.min, 0);
  const high = Math.max(range.max, 0);
  // A tensor that was 0 on every calibration image: any scale represents it; 1 keeps the arithmetic finite.
  if (high === low) return { scale: 1, zeroPoint: 0 };
  const scale = Math.fround((high - low) / UINT8_MAX);
  const zeroPoint = Math.min(UINT8_MAX, Math.max(0, roundHalfToEven(-low / scale)));
  return { scale, zeroPoint };
}

/** int8 weights quantized symmetrically per output channel (axis 0): real = q × scales[c]. */
export interface ChannelQuantizedWeights {
  readonly data: Int8Array;
  /** One float32 scale per output channel. */
  readonly scales: Float32Array;
}

/** Quantizes a weight of shape [C, …] per output channel: scale = max|w_c| / 127, zero point 0. */
export function quantizeWeightsPerChannel(weights: Float32Array, channels: number): ChannelQuantizedWeights {
  if (channels < 1 || weights.length % channels !== 0) {
    throw new Error(`quantize: a weight of ${weights.length} values cannot be split into ${channels} output channels`);
  }
  const perChannel = weights.length / channels;
  const data = new Int8Array(weights.length);
  const scales = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const start = c * perChannel;
    let absMax = 0;
    for (let i = start; i < start + perChannel; i++) {
      const w = weights[i]!;
      if (!Number.isFinite(w)) throw new Error(`quantize: weight value ${w} in output channel ${c} is not finite`);
      absMax = Math.max(absMax, Math.abs(w));
    }
    // An all-zero channel (a pruned filter) quantizes to zeros under any scale.
    const scale = absMax === 0 ? 1 : Math.fround(absMax / INT8_SYMMETRIC_MAX);
    scales[c] = scale;
    for (let i = start; i < start + perChannel; i++) {
      data[i] = Math.max(-INT8_SYMMETRIC_MAX, Math.min(INT8_SYMMETRIC_MAX, roundHalfToEven(weights[i]! / scale)));
    }
  }
  return { data, scales };
}

/** int32 bias with scale = input scale × weight scale per channel, the scale the integer accumulator has. */
export interface QuantizedBias {
  readonly data: Int32Array;
  readonly scales: Float32Array;
}

export function quantizeBias(
  bias: Float32Array,
  inputScale: number,
  weightScales: Float32Array,
  what: string,
): QuantizedBias {
  if (bias.length !== weightScales.length) {
    throw new Error(`quantize: ${what} has ${bias.length} values for ${weightScales.length} output channels`);
  }
  const data = new Int32Array(bias.length);
  const scales = new Float32Array(bias.length);
  for (let c = 0; c < bias.length; c++) {
    const scale = Math.fround(inputScale * weightScales[c]!);
    const q = roundHalfToEven(bias[c]! / scale);
    // Saturating would silently change the model; a bias this far beyond the accumulator's range means bad ranges.
    if (!(q >= INT32_MIN && q <= INT32_MAX)) {
      throw new Error(`quantize: ${what}[${c}] = ${bias[c]} does not fit int32 at scale ${scale}`);
    }
    scales[c] = scale;
    data[c] = q;
  }
  return { data, scales };
}
