/** One typed function per ONNX op; each infers its output's dtype and shape when called. */
export { add, div, equal, greater, mul, sub, where } from './binary.js';
export { cast } from './cast.js';
export { nameOption, type OpOptions, type PerAxis } from './common.js';
export { concat } from './concat.js';
export { conv, type ConvOptions } from './conv.js';
export { convTranspose, type ConvTransposeOptions } from './conv-transpose.js';
export { expand } from './expand.js';
export { flatten } from './flatten.js';
export { matMul } from './matmul.js';
export { pad, type PadOptions } from './pad.js';
export { averagePool, globalAveragePool, maxPool, type AveragePoolOptions, type MaxPoolOptions } from './pool.js';
export { dequantizeLinear, quantizeLinear, type QuantizeOptions } from './quantize.js';
export {
  reduceLogSumExp,
  reduceMax,
  reduceMean,
  reduceSum,
  reduceSumSquare,
  AXES_AS_INPUT_SINCE,
  type ReduceOptions,
} from './reduce.js';
export { reshape } from './reshape.js';
export { shape } from './shape.js';
export { slice, type SliceOptions } from './slice.js';
export { softmax } from './softmax.js';
export { transpose } from './transpose.js';
export { exp, identity, leakyRelu, log, neg, relu, sign, sqrt } from './unary.js';
