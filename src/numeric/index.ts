/** The numeric layer's entry (browser-safe): float16 conversions and the seeded `Random`. */
export {
  bfloat16BitsToFloat32,
  float16ArrayToFloat32,
  float16BitsToFloat32,
  float32ArrayToFloat16,
  float32ToFloat16Bits,
} from './float16.js';
export { Random, type RandomState } from './random.js';
